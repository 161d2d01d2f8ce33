// `tally` as real processes for the command tests (their temporary folders removed after each
// test), and a small planted history with its active-user figures counted in a few obvious
// lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

export const root = fileURLToPath(new URL('../../../', import.meta.url))
export const cli = ['--import', 'tsx', join(root, 'src', 'cli.ts')]
export const env = { PATH: process.env.PATH ?? '' }
const directories: string[] = []

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

/** A folder removed after the test. */
export const temporary = () => {
  const made = mkdtempSync(join(tmpdir(), 'tally-cli-insights-'))
  directories.push(made)
  return made
}

export function tally(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [...cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env,
    input,
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

type Finished = { status: number | null; stdout: string; stderr: string }

/** A child's exit code and what it wrote; `stdout` only when the test reads it. */
export const finished = (child: ChildProcess, { readStdout = true } = {}) =>
  new Promise<Finished>(done => {
    let stdout = ''
    let stderr = ''
    if (readStdout) child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', status => done({ status, stdout, stderr }))
  })

export const start = (args: string[]) =>
  spawn(process.execPath, [...cli, ...args], { cwd: root, env, stdio: 'pipe' })

/** `tally dump <dumpArgs> | tally import <importArgs> -`, two processes joined by a pipe. */
export async function pipeDumpToImport(dumpArgs: string[], importArgs: string[]) {
  const dump = start(['dump', ...dumpArgs])
  const importing = start(['import', ...importArgs, '-'])
  dump.stdout.pipe(importing.stdin)
  const [dumped, imported] = await Promise.all([
    finished(dump, { readStdout: false }),
    finished(importing),
  ])
  return { dumped, imported }
}

export const dayMs = 86_400_000
/** 2026-06-01. */
export const firstDay = Date.UTC(2026, 5, 1) / dayMs
export const day = (offset: number) =>
  new Date((firstDay + offset) * dayMs).toISOString().slice(0, 10)

export interface Planted {
  id: string
  userId: number
  ms: number
}

/**
 * User u is active every u-th day of the 60 from 2026-06-01, with one event near midnight on
 * either side of it: users 1 … 6, so each window sees a different count.
 */
export function plant(): Planted[] {
  const planted: Planted[] = []
  for (let userId = 1; userId <= 6; userId += 1)
    for (let offset = 0; offset < 60; offset += userId) {
      const midnight = (firstDay + offset) * dayMs
      planted.push({ id: `u${userId}-d${offset}-early`, userId, ms: midnight })
      planted.push({ id: `u${userId}-d${offset}-late`, userId, ms: midnight + dayMs - 1 })
    }
  return planted
}

export const line = ({ id, userId, ms }: Planted) =>
  JSON.stringify({
    id: `event-${id}`,
    timestamp: new Date(ms).toISOString(),
    feature: userId % 2 === 0 ? 'search' : 'nav',
    action: 'run',
    source: { client: 'web', clientVersion: '1.0.0' },
    sessionId: `session-${userId}-${Math.floor(ms / dayMs)}`,
    parameters: { version: 1, metadata: { durationMs: userId } },
    userId,
    // Ignored: a field the event does not have.
    note: 'planted',
  })

/** dau, wau, mau and stickiness at `at` (a day number), counted from the planted events. */
export function expectedActiveUsers(planted: Planted[], at: number) {
  const usersOn = (dayNumber: number) =>
    new Set(planted.filter(event => Math.floor(event.ms / dayMs) === dayNumber).map(e => e.userId))
  const usersIn = (days: number) => {
    const users = new Set<number>()
    for (let back = 0; back < days; back += 1)
      for (const user of usersOn(at - back)) users.add(user)
    return users.size
  }
  let userDays = 0
  for (let back = 0; back < 30; back += 1) userDays += usersOn(at - back).size
  const mau = usersIn(30)
  return {
    at: new Date(at * dayMs).toISOString().slice(0, 10),
    dau: usersOn(at).size,
    wau: usersIn(7),
    mau,
    stickiness: mau === 0 ? 0 : userDays / (30 * mau),
  }
}
