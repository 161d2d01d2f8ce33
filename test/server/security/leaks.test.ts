// The remaining holes of the attack on `tally serve`, each replayed against a real one: the event
// that froze it, a refused gateway URL echoed with its password, world-readable data files and
// text reordered on the admin page by bidi controls. The freeze itself is a matter of time,
// which no test here measures: that the size is judged before any scrubbing is proven by the
// spies of test/protocol/validate-bounds.test.ts, and that no rule backtracks by the ratios of
// test/protocol/scrub-linear.test.ts; this one shows the outcome a client sees.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../../src/protocol/event.js'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { sampleEvent } from '../../support/events.js'
import { adminToken, eventToken, startInstance } from './instance.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const directories: string[] = []

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function dataDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-leaks-'))
  directories.push(directory)
  return join(directory, 'data')
}

const post = (url: string, events: TelemetryEvent[]) =>
  fetch(`${url}/.api/telemetry/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${eventToken}`, 'content-type': 'application/json' },
    body: encodeBatch({ events, sentAt: new Date() }),
  })

describe('tally serve against the rest of the attack', { timeout: 60_000 }, () => {
  it('refuses the 48,000-space Authorization event alone, by its size, and stores the rest', async () => {
    const { url } = await startInstance()
    const header = 'authorization:' + ' '.repeat(48_000)
    const big = sampleEvent({ parameters: { version: 1, privateMetadata: { header } } })
    const fine = sampleEvent()
    const response = await post(url, [big, fine])
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      accepted: [fine.id],
      rejected: [{ id: big.id, reason: expect.stringContaining('bytes encoded') as string }],
    })
  })

  it('creates its database, WAL and shared memory files readable by their owner only', async () => {
    const dataDir = dataDirectory()
    const { url } = await startInstance({ dataDir })
    expect((await post(url, [sampleEvent()])).status).toBe(200)
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    const files = readdirSync(dataDir)
    expect(files).toEqual(expect.arrayContaining(['tally.db', 'tally.db-wal', 'tally.db-shm']))
    for (const file of files) expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600)
  })

  it('shows bidi controls of stored values escaped on the admin page', async () => {
    const { url } = await startInstance({
      exportMode: 'redact',
      gatewayUrl: 'http://127.0.0.1:9',
      instanceKey: 'leaks=leaks-instance-key-0123456789',
    })
    const reordered = sampleEvent({
      parameters: { version: 1, privateMetadata: { user: 'evil\u202Enimda\u202C' } },
    })
    expect((await post(url, [reordered])).status).toBe(200)
    const page = await (
      await fetch(`${url}/admin`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).text()
    expect(page).toContain('evil&lt;U+202E&gt;nimda&lt;U+202C&gt;')
    expect(page).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/)
  })

  it('refuses a gateway URL with credentials without echoing them', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src', 'cli.ts'),
        'serve',
        '--data',
        dataDirectory(),
        '--gateway-url',
        'https://exporter:hunter2-secret@gateway.example.com/?token=also-secret',
      ],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
    )
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--gateway-url must be an https URL')
    expect(result.stderr).not.toMatch(/hunter2|also-secret/)
  })
})
