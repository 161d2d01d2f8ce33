// `tally import`, `tally insights` and `tally dump` as an operator runs them: real processes
// on a temporary SQLite folder (and a PostgreSQL database made for the test), the answers
// held against figures computed here from the planted lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const cli = ['--import', 'tsx', join(root, 'src', 'cli.ts')]
const env = { PATH: process.env.PATH ?? '' }
const directories: string[] = []

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const temporary = () => {
  const made = mkdtempSync(join(tmpdir(), 'tally-cli-insights-'))
  directories.push(made)
  return made
}

function tally(args: string[], input?: string) {
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
const finished = (child: ChildProcess, { readStdout = true } = {}) =>
  new Promise<Finished>(done => {
    let stdout = ''
    let stderr = ''
    if (readStdout) child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', status => done({ status, stdout, stderr }))
  })

const start = (args: string[]) =>
  spawn(process.execPath, [...cli, ...args], { cwd: root, env, stdio: 'pipe' })

/** `tally dump <dumpArgs> | tally import <importArgs> -`, two processes joined by a pipe. */
async function pipeDumpToImport(dumpArgs: string[], importArgs: string[]) {
  const dump = start(['dump', ...dumpArgs])
  const importing = start(['import', ...importArgs, '-'])
  dump.stdout.pipe(importing.stdin)
  const [dumped, imported] = await Promise.all([
    finished(dump, { readStdout: false }),
    finished(importing),
  ])
  return { dumped, imported }
}

const dayMs = 86_400_000
/** 2026-06-01. */
const firstDay = Date.UTC(2026, 5, 1) / dayMs
const day = (offset: number) => new Date((firstDay + offset) * dayMs).toISOString().slice(0, 10)

interface Planted {
  id: string
  userId: number
  ms: number
}

/**
 * User u is active every u-th day of the 60 from 2026-06-01, with one event near midnight on
 * either side of it: users 1 … 6, so each window sees a different count.
 */
function plant(): Planted[] {
  const planted: Planted[] = []
  for (let userId = 1; userId <= 6; userId += 1)
    for (let offset = 0; offset < 60; offset += userId) {
      const midnight = (firstDay + offset) * dayMs
      planted.push({ id: `u${userId}-d${offset}-early`, userId, ms: midnight })
      planted.push({ id: `u${userId}-d${offset}-late`, userId, ms: midnight + dayMs - 1 })
    }
  return planted
}

const line = ({ id, userId, ms }: Planted) =>
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
function expectedActiveUsers(planted: Planted[], at: number) {
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

describe('tally import, insights and dump', { timeout: 120_000 }, () => {
  it('imports a file, then answers active users as the figures planted in it', () => {
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, `${planted.map(line).join('\n')}\n`)
    const data = join(folder, 'data')

    const imported = tally(['import', '--data', data, file])
    expect(imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })

    for (const offset of [0, 20, 45, 59]) {
      const answer = tally([
        'insights',
        'active-users',
        '--data',
        data,
        '--at',
        day(offset),
        '--json',
      ])
      expect(answer.stderr).toBe('')
      expect(answer.status).toBe(0)
      expect(JSON.parse(answer.stdout)).toEqual(expectedActiveUsers(planted, firstDay + offset))
    }

    const table = tally(['insights', 'active-users', '--data', data, '--at', day(59)])
    const expected = expectedActiveUsers(planted, firstDay + 59)
    expect(table.stdout).toMatch(new RegExp(`^monthly \\(mau\\) +${expected.mau}$`, 'm'))
    expect(table.stdout).toMatch(new RegExp(`^daily \\(dau\\) +${expected.dau}$`, 'm'))
  })

  it('counts refused lines with their first reasons and exits 1; a bad flag exits 2', () => {
    const folder = temporary()
    const [good] = plant().map(line)
    const result = tally(['import', '--data', join(folder, 'data'), '-'], `${good}\nnot json\n{}\n`)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe(
      '1 stored, 0 already present, 2 refused\n' +
        '  line 2: not JSON\n' +
        '  line 3: userId must be a positive whole number\n',
    )
    const refused = tally([
      'insights',
      'retention',
      '--data',
      join(folder, 'data'),
      '--weeks',
      '53',
    ])
    expect(refused).toEqual({
      status: 2,
      stdout: '',
      stderr: 'tally insights: --weeks must be a whole number from 1 to 52\n',
    })
  })

  it('moves a store through dump | import -, each event once, and a second import finds all present', async () => {
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, planted.map(line).join('\n'))
    const [from, to] = [join(folder, 'a'), join(folder, 'b')]
    expect(tally(['import', '--data', from, file]).status).toBe(0)

    const first = await pipeDumpToImport(['--data', from], ['--data', to])
    expect(first.dumped).toMatchObject({ status: 0, stderr: '' })
    expect(first.imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })
    const again = await pipeDumpToImport(['--data', from], ['--data', to])
    expect(again.imported.stdout).toBe(`0 stored, ${planted.length} already present, 0 refused\n`)

    // The copy holds the same lines (its own dump), and so the same answers.
    expect(tally(['dump', '--data', to]).stdout).toBe(tally(['dump', '--data', from]).stdout)
    const ids = tally(['dump', '--data', to])
      .stdout.trim()
      .split('\n')
      .map(text => (JSON.parse(text) as { id: string; userId: number }).id)
    expect(ids.sort()).toEqual(planted.map(event => `event-${event.id}`).sort())
    for (const question of ['features', 'sessions', 'events'])
      expect(
        tally(['insights', question, '--data', to, '--from', day(0), '--to', day(59), '--json'])
          .stdout,
      ).toBe(
        tally(['insights', question, '--data', from, '--from', day(0), '--to', day(59), '--json'])
          .stdout,
      )
  })

  it('stops quietly when the reader of its output goes away (tally dump | head -n 1)', async () => {
    const folder = temporary()
    const data = join(folder, 'data')
    // Enough lines to outgrow a pipe's buffer, so that the dump meets the closed pipe.
    const many = Array.from({ length: 4000 }, (_, index) =>
      line({
        id: `many-${index}`,
        userId: 1 + (index % 50),
        ms: (firstDay + (index % 60)) * dayMs,
      }),
    )
    writeFileSync(join(folder, 'many.jsonl'), many.join('\n'))
    expect(tally(['import', '--data', data, join(folder, 'many.jsonl')]).status).toBe(0)
    const dump = start(['dump', '--data', data])
    const exited = finished(dump, { readStdout: false })
    // Read the first line, then close the pipe as `head -n 1` does.
    let first = ''
    dump.stdout.on('data', (chunk: Buffer) => {
      first += chunk.toString()
      if (first.includes('\n')) dump.stdout.destroy()
    })
    const { status, stderr } = await exited
    const [firstLine] = first.split('\n')
    expect((JSON.parse(firstLine ?? '') as { userId: number }).userId).toBeGreaterThan(0)
    expect(first.length).toBeLessThan(many.join('\n').length)
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' })
  })
})

describe('tally dump | tally import --database-url', { timeout: 120_000 }, () => {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Pool({ connectionString: server, max: 1, connectionTimeoutMillis: 3_000 })
  admin.on('error', () => undefined)
  // A database of its own, so that the CLI's default schema is the test's alone.
  const database = `tally_cli_${randomBytes(6).toString('hex')}`
  const url = new URL(server)
  url.pathname = `/${database}`
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.end()
  })

  it('moves a SQLite store into PostgreSQL with the same answers', async () => {
    await admin.query(`CREATE DATABASE ${database}`)
    const planted = plant()
    const folder = temporary()
    const file = join(folder, 'planted.jsonl')
    writeFileSync(file, planted.map(line).join('\n'))
    const sqlite = join(folder, 'data')
    expect(tally(['import', '--data', sqlite, file]).status).toBe(0)

    const moved = await pipeDumpToImport(['--data', sqlite], ['--database-url', url.href])
    expect(moved.imported).toEqual({
      status: 0,
      stdout: `${planted.length} stored, 0 already present, 0 refused\n`,
      stderr: '',
    })
    for (const question of ['active-users', 'power-users', 'lifecycle', 'retention']) {
      const fromPostgres = tally([
        'insights',
        question,
        '--database-url',
        url.href,
        '--at',
        day(59),
        '--json',
      ])
      expect(fromPostgres.stderr).toBe('')
      expect(fromPostgres.stdout).toBe(
        tally(['insights', question, '--data', sqlite, '--at', day(59), '--json']).stdout,
      )
    }
    const answer = tally([
      'insights',
      'active-users',
      '--database-url',
      url.href,
      '--at',
      day(59),
      '--json',
    ])
    expect(JSON.parse(answer.stdout)).toEqual(expectedActiveUsers(planted, firstDay + 59))
  })
})
