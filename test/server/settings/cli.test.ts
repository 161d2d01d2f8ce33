// The `tally` command as an operator meets it: a refusal is exit code 2, one line on stderr,
// and nothing opened or created before it.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const directories: string[] = []

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function tally(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    },
  )
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('tally (the command)', { timeout: 60_000 }, () => {
  it('refuses a malformed value with exit code 2 and one line, before opening its store', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tally-cli-')), 'data')
    directories.push(dataDir)
    const result = tally(['serve', '--data', dataDir, '--instance-key', 'acme=not-long'])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      'tally serve: --instance-key must look like ID=KEY with a KEY of 16 or more characters without spaces, e.g. --instance-key acme=…\n',
    )
    expect(result.stderr).not.toContain('not-long')
    expect(result.stdout).toBe('')
    expect(existsSync(dataDir)).toBe(false)
  })

  it("refuses an unknown flag, and ignores another command's malformed variable", () => {
    const result = tally(['gateway', '--export-mode', 'x'], { TALLY_PORT: 'abc' })
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      'tally gateway: unknown flag --export-mode (tally gateway --help lists its flags)\n',
    )
  })

  it('prints a command help with exit code 0', () => {
    const result = tally(['gateway', '--help'], { TALLY_GATEWAY_PORT: 'abc' })
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('--instance-keys-file FILE')
  })
})
