import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

export interface ServeOptions {
  /** The instance's SQLite folder. */
  dataDir: string
  /** `name=secret` bearer token. */
  token: string
  /**
   * `source` runs src/cli.ts through tsx (for tests that run before the build); `built` runs
   * bin/tally.js, which needs dist/.
   */
  from: 'source' | 'built'
  /** `--demo`: the demo app and its sign-in. @default false */
  demo?: boolean
  /** `--session-secret`, which signs the demo's session cookies. */
  sessionSecret?: string
  /** More flags, after the defaults (a later flag of one value would be refused: pass new ones). */
  args?: readonly string[]
  /** @default 'off' */
  exportMode?: 'off' | 'redact' | 'full'
}

/**
 * Starts `tally serve` on a free port of 127.0.0.1, with export off unless told otherwise. `url` resolves once it
 * listens. The caller kills the child, which it has at once, also should it never listen.
 */
export function startServe(options: ServeOptions): { child: ChildProcess; url: Promise<string> } {
  const command =
    options.from === 'source'
      ? ['--import', 'tsx', join(root, 'src', 'cli.ts')]
      : [join(root, 'bin', 'tally.js')]
  const child = spawn(
    process.execPath,
    [
      ...command,
      'serve',
      '--port',
      '0',
      '--data',
      options.dataDir,
      '--token',
      options.token,
      '--export-mode',
      options.exportMode ?? 'off',
      ...(options.demo === true ? ['--demo'] : []),
      ...(options.sessionSecret === undefined ? [] : ['--session-secret', options.sessionSecret]),
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: root },
  )
  const url = new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /instance backend at (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', code => {
      reject(new Error(`tally serve exited (${code}) before listening:\n${output}`))
    })
  })
  return { child, url }
}
