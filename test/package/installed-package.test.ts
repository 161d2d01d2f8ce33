// The package as a user installs it: packed, installed into an empty project from the npm
// cache, and run with `npx tally`. Without a database driver `tally serve` stops in one line
// saying what to install; with better-sqlite3 it serves. Runs after `npm run build`
// (`npm run test:node-e2e`).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
let workDir = ''
let project = ''
const children: ChildProcess[] = []

/**
 * npm from the local cache, which `npm ci` filled. `--prefer-offline` rather than `--offline`:
 * a registry document the cache holds under other request headers is fetched again.
 */
function npmFromCache(args: string[], cwd: string): string {
  return execFileSync(npm, [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

// npx runs the project's own `tally`; were it missing, it must fail rather than fetch one.
const npxEnv = () => ({ ...process.env, npm_config_yes: 'false' })

function tally(args: string[]) {
  const result = spawnSync(npx, ['tally', ...args], {
    cwd: project,
    env: npxEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

beforeAll(() => {
  for (const file of ['dist/cli.js', 'dist/server.js'])
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build`)
  workDir = mkdtempSync(join(tmpdir(), 'tally-package-'))
  const tarball = execFileSync(npm, ['pack', '--silent', '--pack-destination', workDir], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)
  if (tarball === undefined) throw new Error('npm pack printed no file name')
  project = join(workDir, 'project')
  mkdirSync(project)
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'tally-package-test', private: true, type: 'module' }),
  )
  // The optional peers (better-sqlite3, pg) are not installed with it.
  npmFromCache(['install', join(workDir, tarball)], project)
}, 120_000)

afterAll(() => {
  for (const child of children) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  rmSync(workDir, { recursive: true, force: true })
})

describe('the installed package', { timeout: 60_000 }, () => {
  it('carries its license and no database driver', () => {
    const installed = join(project, 'node_modules', 'tally-telemetry')
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toContain(
      'Apache License\n\nVersion 2.0, January 2004',
    )
    expect(existsSync(join(project, 'node_modules', 'better-sqlite3'))).toBe(false)
    expect(existsSync(join(project, 'node_modules', 'pg'))).toBe(false)
  })

  it('answers npx tally --help', () => {
    const result = tally(['--help'])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Usage: tally <command> [options]')
  })

  it('refuses to serve without a driver, in one line saying what to install', () => {
    const sqlite = tally(['serve', '--port', '0', '--data', join(workDir, 'data')])
    expect(sqlite.status).toBe(2)
    expect(sqlite.stderr).toBe(
      'tally serve: the embedded SQLite store needs the better-sqlite3 package: npm install better-sqlite3\n',
    )
    expect(existsSync(join(workDir, 'data')), 'nothing is created before the refusal').toBe(false)
    const postgres = tally(['serve', '--port', '0', '--database-url', 'postgres://127.0.0.1:9/x'])
    expect(postgres.status).toBe(2)
    expect(postgres.stderr).toBe(
      'tally serve: the PostgreSQL store (--database-url) needs the pg package: npm install pg\n',
    )
  })

  it('serves once better-sqlite3 is installed', async () => {
    const { version } = JSON.parse(
      readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8'),
    ) as { version: string }
    // Its install script downloads a prebuilt binary or compiles one for minutes: the package
    // comes from the cache without scripts, and the binary the repository's own install made
    // for this Node and this platform is put where the package looks for it.
    npmFromCache(['install', '--ignore-scripts', `better-sqlite3@${version}`], project)
    const binary = join('build', 'Release', 'better_sqlite3.node')
    mkdirSync(join(project, 'node_modules', 'better-sqlite3', 'build', 'Release'), {
      recursive: true,
    })
    copyFileSync(
      join(root, 'node_modules', 'better-sqlite3', binary),
      join(project, 'node_modules', 'better-sqlite3', binary),
    )

    const child = spawn(
      npx,
      ['tally', 'serve', '--port', '0', '--data', join(workDir, 'data'), '--export-mode', 'off'],
      // Its own process group, so that npx and the server it starts are killed together.
      { cwd: project, env: npxEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    children.push(child)
    const url = await new Promise<string>((resolve, reject) => {
      let output = ''
      const collect = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /instance backend at (http:\/\/\S+)/.exec(output)
        if (match?.[1]) resolve(match[1])
      }
      child.stdout.on('data', collect)
      child.stderr.on('data', collect)
      child.once('exit', code => reject(new Error(`tally serve exited (${code}):\n${output}`)))
    })
    const response = await fetch(`${url}/.api/telemetry/config`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ exportMode: 'off' })
  })
})
