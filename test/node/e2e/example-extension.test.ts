// The example VS Code extension builds with its one command, and its bundle loads in a
// stand-in extension host: it registers its command, records the command's use, and keeps
// the event in the extension's storage when the instance cannot be reached.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const example = fileURLToPath(new URL('../../../examples/vscode-extension/', import.meta.url))
const loader = fileURLToPath(new URL('./fixtures/load-extension.mjs', import.meta.url))
const storage = mkdtempSync(join(tmpdir(), 'tally-example-storage-'))

afterAll(() => {
  rmSync(storage, { recursive: true, force: true })
})

describe('the example VS Code extension', { timeout: 240_000 }, () => {
  it('builds into one CommonJS file that an extension host can load', async () => {
    const bundle = join(example, 'dist', 'extension.js')
    rmSync(bundle, { force: true })
    await run('npm', ['run', 'build'], { cwd: example })
    expect(existsSync(bundle)).toBe(true)

    const code = readFileSync(bundle)
    process.stdout.write(
      `example extension bundle: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} gzipped\n`,
    )
    const { stdout } = await run(process.execPath, [
      loader,
      bundle,
      join(example, 'package.json'),
      storage,
    ])
    expect(JSON.parse(stdout)).toEqual({
      registered: ['tallyExample.countLines'],
      queuedEvent: true,
    })
  })
})
