import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startGatewayCommand } from '../../../src/server/commands/gateway.js'
import { InvalidSettingError } from '../../../src/server/errors/invalid-setting-error.js'
import type { RunningGateway } from '../../../src/server/gateway/start-gateway.js'
import {
  openInstanceKeysFile,
  parseInstanceKeys,
} from '../../../src/server/gateway/instance-keys-file.js'
import { samplePing } from '../../support/gateway-data.js'

const acmeKey = 'acme-key-0123456789'
const globexKey = 'globex-key-0123456789'

const directories: string[] = []
const running: RunningGateway[] = []
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function keysFile(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-keys-'))
  directories.push(directory)
  const path = join(directory, 'instance-keys')
  writeFileSync(path, text)
  return path
}

/** Replaces the file whole, as an editor or a config tool does. */
function rewrite(path: string, text: string): void {
  writeFileSync(`${path}.new`, text)
  renameSync(`${path}.new`, path)
}

function refusalOf(work: () => unknown): string {
  try {
    work()
  } catch (error) {
    if (error instanceof InvalidSettingError) return error.message
    throw error
  }
  throw new Error('not refused')
}

describe('parseInstanceKeys', () => {
  it('reads one ID=KEY a line, skipping blank lines and # comments', () => {
    const text = `# customers\n\nacme=${acmeKey}\n  globex = ${globexKey}  \r\n# gone: initech\n`
    expect([...parseInstanceKeys(text, 'keys')]).toEqual([
      ['acme', acmeKey],
      ['globex', globexKey],
    ])
  })

  it.each([
    ['a line without =', `acme=${acmeKey}\nglobex\n`, 2, /line 2 must start with an instance id/],
    [
      'an id outside the pattern',
      `../etc=${acmeKey}\n`,
      1,
      /line 1 must start with an instance id/,
    ],
    ['a short key', `\n\nacme=short-key\n`, 3, /line 3 must hold a key of 16 or more/],
    ['a key with a space', `acme=abc def ghi jkl mno\n`, 1, /line 1 must hold a key/],
    ['an id given twice', `acme=${acmeKey}\nacme=${globexKey}\n`, 2, /line 2 names acme again/],
  ])('refuses %s, naming its line and never its key', (_name, text, line, message) => {
    const refusal = refusalOf(() => parseInstanceKeys(text, '/etc/tally/keys'))
    expect(refusal).toMatch(message)
    expect(refusal).toContain(`/etc/tally/keys: line ${line} `)
    expect(refusal).not.toContain('short-key')
    expect(refusal).not.toContain('ghi jkl')
    expect(refusal).not.toContain(globexKey)
  })
})

describe('openInstanceKeysFile', () => {
  it('sees a changed file at most once a second, and merges the fixed keys under it', () => {
    const path = keysFile(`acme=${acmeKey}\n`)
    let ms = 1_000_000
    const lines: string[] = []
    const keys = openInstanceKeysFile({
      path,
      fixed: new Map([['initech', 'initech-key-0123456789']]),
      log: line => lines.push(line),
      nowMs: () => ms,
    })
    expect(keys.get('acme')).toBe(acmeKey)
    expect(keys.get('initech')).toBe('initech-key-0123456789')
    rewrite(path, `acme=${acmeKey}\nglobex=${globexKey}\n`)
    ms += 500
    expect(keys.get('globex')).toBeUndefined()
    ms += 500
    expect(keys.get('globex')).toBe(globexKey)
    expect(keys.ids()).toEqual(['acme', 'globex', 'initech'])
    expect(lines).toEqual([])
  })

  it('keeps the previous keys when the changed file is broken, saying so once', () => {
    const path = keysFile(`acme=${acmeKey}\n`)
    let ms = 0
    const lines: string[] = []
    const keys = openInstanceKeysFile({ path, log: line => lines.push(line), nowMs: () => ms })
    rewrite(path, `acme=${acmeKey}\nglobex=tiny\n`)
    for (let n = 0; n < 3; n++) {
      ms += 1000
      expect(keys.get('acme')).toBe(acmeKey)
      expect(keys.get('globex')).toBeUndefined()
    }
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/line 2 .*keeping the previous keys$/)
    expect(lines[0]).not.toContain('tiny')
    // Mended: read again.
    rewrite(path, `globex=${globexKey}\n`)
    ms += 1000
    expect(keys.get('globex')).toBe(globexKey)
    expect(keys.get('acme')).toBeUndefined()
  })

  it('keeps the previous keys while the file is missing', () => {
    const path = keysFile(`acme=${acmeKey}\n`)
    let ms = 0
    const lines: string[] = []
    const keys = openInstanceKeysFile({ path, log: line => lines.push(line), nowMs: () => ms })
    rmSync(path)
    ms += 1000
    expect(keys.get('acme')).toBe(acmeKey)
    expect(lines).toHaveLength(1)
  })
})

describe('tally gateway --instance-keys-file', () => {
  const start = (path: string, lines: string[] = []) =>
    startGatewayCommand({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(path, '..', 'data'),
      instanceKeys: [],
      instanceKeysFile: path,
      retentionDays: 90,
      rollupRetentionDays: 400,
      log: line => lines.push(line),
    })

  const ping = (url: string, instance: string, key: string) =>
    fetch(`${url}/v1/pings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-tally-instance': instance,
      },
      body: JSON.stringify(samplePing(instance, '2026-11-26')),
    })

  it('lets an instance added to the file in, without a restart', async () => {
    const path = keysFile(`acme=${acmeKey}\n`)
    const gateway = await start(path)
    running.push(gateway)
    expect((await ping(gateway.url, 'acme', acmeKey)).status).toBe(200)
    expect((await ping(gateway.url, 'globex', globexKey)).status).toBe(401)
    rewrite(path, `acme=${acmeKey}\nglobex=${globexKey}\n`)
    // The file is looked at again at most once a second; one wait, so that no wrong key piles up
    // in the throttle meanwhile.
    await new Promise(resolve => setTimeout(resolve, 1_100))
    expect((await ping(gateway.url, 'globex', globexKey)).status).toBe(200)
  })

  it('refuses to start on a broken file, naming the line', async () => {
    const path = keysFile(`acme=${acmeKey}\nglobex=tiny\n`)
    await expect(start(path)).rejects.toThrow(/instance-keys-file .*: line 2 must hold a key/)
  })
})
