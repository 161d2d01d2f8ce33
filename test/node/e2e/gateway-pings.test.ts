// Instances with imported history exporting to a real `tally gateway`, every part a real
// `tally` process over dist/: the gateway answers an instance's insights with the instance's
// own numbers, the daily ping carries the instance's dau / wau / mau (and the figures this test
// computes from the lines it planted), one ping per (instance, day) survives a second
// instance, a resend and both restarts, `off` sends nothing, and no ping carries a string
// beyond its id, instance, day, version, store kind and the planted feature and action names.
// Runs after `npm run build` (`npm run test:node-e2e`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe } from '../../support/tally-serve.js'
import { testDatabaseUrl } from '../../support/postgres-schemas.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const tallyBin = join(root, 'bin', 'tally.js')
const dayMs = 86_400_000
// The ping worker counts a day complete 15 minutes after its midnight (its default settle).
const settleMs = 15 * 60_000
const adminKey = 'gateway-admin-key-0123456789'
const adminToken = 'instance-admin-token-0123456789'
const keys = {
  a: 'key-of-instance-a-0123456789',
  b: 'key-of-instance-b-0123456789',
  c: 'key-of-instance-c-0123456789',
}
const features = [
  ['search', 'submitted'],
  ['search', 'resultClicked'],
  ['blob.codeintel', 'goToDefinition'],
  ['blob.codeintel', 'hover'],
  ['notebook', 'opened'],
] as const

const formatDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)

/** One planted line, as `tally dump` writes an event, with the fields the oracle reads. */
interface Planted {
  line: Record<string, unknown>
  day: number
  userId: number
  feature: string
  action: string
  regex: number
}

/**
 * A history of `days` days ending at `lastDay`: user u is active on day d when a fixed rule
 * says so (user 1 every day, the others on sparser, shifted patterns, user 6 only in the first
 * half), each active user-day 1–3 events of features chosen by (u, d). Strings that must
 * never reach a ping ride in privateMetadata and the session ids.
 */
function plantHistory(prefix: string, lastDay: number, days: number, users: number): Planted[] {
  const planted: Planted[] = []
  for (let d = lastDay - days + 1; d <= lastDay; d++) {
    const age = lastDay - d
    for (let u = 1; u <= users; u++) {
      const active = u === 1 || (u === 6 ? age >= days / 2 && d % 2 === 0 : (d + u) % (u + 1) === 0)
      if (!active) continue
      const count = 1 + ((d + 2 * u) % 3)
      for (let k = 0; k < count; k++) {
        const [feature, action] = features[(d + u + k) % features.length] as readonly [
          string,
          string,
        ]
        const regex = (d + k) % 2
        const time = new Date(d * dayMs + (((u * 5 + k * 7 + d) % 24) * 60 + k) * 60_000)
        const id = `${prefix}-${String(planted.length).padStart(6, '0')}`
        planted.push({
          day: d,
          userId: u,
          feature,
          action,
          regex,
          line: {
            id,
            timestamp: time.toISOString(),
            feature,
            action,
            source: { client: 'e2e-client', clientVersion: '9.9.9' },
            sessionId: `SESSION${prefix}u${u}d${d}`,
            parameters: {
              version: 1,
              metadata: { durationMs: 100 + ((u * 37 + d) % 400), regex },
              privateMetadata: {
                query: `SECRET-${prefix}-query-${u}-${d}-${k}`,
                owner: `user${u}.${prefix}@example.com`,
                nested: { note: `SECRET-${prefix}-note-${u}` },
              },
            },
            userId: u,
          },
        })
      }
    }
  }
  return planted
}

/** The strings the history carries that a ping must never hold. */
function plantedStrings(planted: Planted[]): Set<string> {
  const strings = new Set<string>()
  const walk = (value: unknown) => {
    if (typeof value === 'string') strings.add(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk)
  }
  for (const { line, userId } of planted) {
    const { parameters, sessionId, id } = line as {
      parameters: { privateMetadata: unknown }
      sessionId: string
      id: string
    }
    walk(parameters.privateMetadata)
    strings.add(sessionId)
    strings.add(id)
    strings.add(String(userId))
    strings.add('e2e-client')
    strings.add('9.9.9')
  }
  return strings
}

/** Distinct users active in the `span` days ending at `at`. */
const activeIn = (planted: Planted[], at: number, span: number) =>
  new Set(planted.filter(p => p.day > at - span && p.day <= at).map(p => p.userId)).size

const children = new Set<ChildProcess>()
let workDir = ''

function spawnTally(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [tallyBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: root,
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits. */
function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
      const match = pattern.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', code => reject(new Error(`tally exited (${code}):\n${output}`)))
  })
}

/** SIGTERM, then waits for the exit, so that the stores close cleanly. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** `storage`: `['--data', DIR]` or `['--database-url', URL]`. */
async function startGateway(storage: string[], keysFile: string, port = 0) {
  const child = spawnTally([
    'gateway',
    '--port',
    String(port),
    ...storage,
    '--instance-keys-file',
    keysFile,
    '--admin-key',
    adminKey,
  ])
  const url = await waitForOutput(child, /receiving at (http:\/\/\S+)\/v1\/events/)
  return { child, url }
}

async function startInstance(
  id: 'a' | 'b' | 'c',
  dataDir: string,
  gatewayUrl: string,
  exportMode: 'redact' | 'off',
) {
  const started = startServe({
    dataDir,
    token: `e2e=instance-token-${id}-0123456789`,
    from: 'built',
    exportMode,
    args: [
      '--gateway-url',
      gatewayUrl,
      '--instance-key',
      `${id}=${keys[id]}`,
      '--export-interval-ms',
      '200',
      '--admin-token',
      adminToken,
    ],
  })
  children.add(started.child)
  started.child.once('exit', () => children.delete(started.child))
  return { child: started.child, url: await started.url }
}

function importLines(dataDir: string, planted: Planted[], name: string): void {
  const file = join(workDir, `import-${name}.jsonl`)
  writeFileSync(file, planted.map(p => JSON.stringify(p.line)).join('\n') + '\n')
  const result = spawnSync(process.execPath, [tallyBin, 'import', file, '--data', dataDir], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(result.stderr).toBe('')
  expect(result.stdout.trim()).toBe(`${planted.length} stored, 0 already present, 0 refused`)
  expect(result.status).toBe(0)
}

async function getJson(url: string, bearer: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } })
  return { status: response.status, body: await response.json() }
}

interface StoredPing {
  id: string
  instance: string
  day: string
  version: string
  store: string
  dau: number
  wau: number
  mau: number
  stickiness: number
  features: {
    feature: string
    action: string
    day: { events: number; users: number }
    month: { events: number; users: number }
  }[]
  featureTotals: unknown[]
}

async function pingsOf(gatewayUrl: string, instance: string): Promise<StoredPing[]> {
  const { status, body } = await getJson(`${gatewayUrl}/v1/pings?instance=${instance}`, adminKey)
  expect(status).toBe(200)
  return (body as { pings: StoredPing[] }).pings
}

/** What the gateway holds of an instance's events: 0 for an instance it never heard from. */
async function eventsAt(gatewayUrl: string, instance: string): Promise<number> {
  const { status, body } = await getJson(
    `${gatewayUrl}/v1/events?instance=${instance}&limit=1`,
    adminKey,
  )
  if (status === 404) return 0
  expect(status).toBe(200)
  return (body as { total: number }).total
}

/** The pings the instance's worker got acknowledged since it started, from its /metrics. */
async function pingsSent(instanceUrl: string): Promise<number> {
  const text = await (await fetch(`${instanceUrl}/metrics`)).text()
  return Number(/^tally_ping_sent_total (\d+)$/m.exec(text)?.[1] ?? NaN)
}

/** Polls `check` until it holds, for at most `timeoutMs`; the last failure is thrown. */
async function eventually(check: () => Promise<void>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(250)
    }
  }
}

/**
 * The stored pings of the days `before` covers, after checking each day is held once: a run
 * that crosses a day's completion (00:15 UTC) adds that day's ping, which `before` lacks.
 */
async function heldThrough(gatewayUrl: string, instance: string, before: StoredPing[]) {
  const pings = await pingsOf(gatewayUrl, instance)
  expectOnePerDay(pings, instance)
  const last = before.at(-1)?.day ?? ''
  return pings.filter(ping => ping.day <= last)
}

/** Each day once, and the days in order. */
function expectOnePerDay(pings: StoredPing[], instance: string): void {
  const days = pings.map(ping => ping.day)
  expect(new Set(days).size).toBe(days.length)
  expect([...days].sort()).toEqual(days)
  for (const ping of pings) {
    expect(ping.instance).toBe(instance)
    expect(ping.id).toBe(`${instance}:${ping.day}`)
  }
}

// The last day the ping worker counts complete as the test starts: yesterday (UTC), or the day
// before in the first minutes of a day. The history ends on it, so that its ping is due.
const pingDay = Math.floor((Date.now() - settleMs) / dayMs) - 1
const historyA = plantHistory('A', pingDay, 40, 6)
const historyB = plantHistory('B', pingDay, 6, 3)
const historyC = plantHistory('C', pingDay, 5, 2)

let gatewayDir = ''
let keysFile = ''
let gateway: { child: ChildProcess; url: string }
let instanceA: { child: ChildProcess; url: string }
let instanceC: { child: ChildProcess; url: string }
const dataDirs = { a: '', b: '', c: '' }

beforeAll(async () => {
  for (const file of ['dist/cli.js', 'dist/server.js'])
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build`)
  workDir = mkdtempSync(join(tmpdir(), 'tally-gateway-pings-'))
  gatewayDir = join(workDir, 'gateway')
  keysFile = join(workDir, 'instance-keys')
  writeFileSync(keysFile, `a=${keys.a}\nb=${keys.b}\nc=${keys.c}\n`)
  for (const id of ['a', 'b', 'c'] as const) {
    dataDirs[id] = join(workDir, `instance-${id}`)
    mkdirSync(dataDirs[id])
  }
  importLines(dataDirs.a, historyA, 'a')
  importLines(dataDirs.b, historyB, 'b')
  importLines(dataDirs.c, historyC, 'c')
  gateway = await startGateway(['--data', gatewayDir], keysFile)
}, 120_000)

afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(workDir, { recursive: true, force: true })
})

describe('instances exporting to a real gateway', { timeout: 240_000 }, () => {
  it("answers an instance's insights with its own numbers, and pings its dau / wau / mau", async () => {
    // C, in off mode, runs alongside from the start: all the time A takes, it could send.
    instanceC = await startInstance('c', dataDirs.c, gateway.url, 'off')
    instanceA = await startInstance('a', dataDirs.a, gateway.url, 'redact')
    await eventually(async () => {
      expect(await eventsAt(gateway.url, 'a')).toBe(historyA.length)
      expect((await pingsOf(gateway.url, 'a')).map(ping => ping.day)).toContain(formatDay(pingDay))
    })

    const from = formatDay(pingDay - 39)
    const to = formatDay(pingDay)
    const at = formatDay(pingDay)
    const queries = [
      `events?from=${from}&to=${to}`,
      `events?from=${from}&to=${to}&feature=search`,
      `events?from=${from}&to=${to}&where=regex:1`,
      `events?from=${from}&to=${to}&user=2`,
      `events?from=${from}&to=${to}&feature=blob.codeintel&action=hover&where=regex:0`,
      `active-users?at=${at}`,
      `active-users?at=${formatDay(pingDay - 12)}`,
      `power-users?at=${at}&minDays=5`,
      `sessions?from=${from}&to=${to}`,
      `features?from=${from}&to=${to}`,
      `at-risk?at=${at}`,
      `lifecycle?at=${at}&weeks=6`,
      `retention?at=${at}&weeks=6`,
    ]
    for (const query of queries) {
      const [path, search] = query.split('?') as [string, string]
      const local = await getJson(`${instanceA.url}/admin/api/insights/${query}`, adminToken)
      const remote = await getJson(
        `${gateway.url}/v1/insights/${path}?instance=a&${search}`,
        adminKey,
      )
      expect(local.status, query).toBe(200)
      expect(remote.status, query).toBe(200)
      expect(remote.body, query).toEqual(local.body)
    }

    // The planted history, counted here: every filter reaches the events.
    const count = (keep: (p: Planted) => boolean) => {
      const kept = historyA.filter(keep)
      return { events: kept.length, users: new Set(kept.map(p => p.userId)).size }
    }
    // The counts only: where they were read from (`coverage`) is the insights contract's.
    const events = async (search: string) => {
      const { body } = await getJson(
        `${gateway.url}/v1/insights/events?instance=a&${search}`,
        adminKey,
      )
      const { events: found, users } = body as { events: number; users: number }
      return { events: found, users }
    }
    expect(await events(`from=${from}&to=${to}`)).toEqual(count(() => true))
    expect(await events(`from=${from}&to=${to}&where=regex:1`)).toEqual(count(p => p.regex === 1))
    expect(await events(`from=${from}&to=${to}&user=2`)).toEqual(count(p => p.userId === 2))
    // At risk: active on 4+ days of the 28 ending 14 days back, and not since (user 6).
    const daysOf = (userId: number, after: number, through: number) =>
      new Set(
        historyA
          .filter(p => p.userId === userId && p.day > after && p.day <= through)
          .map(p => p.day),
      ).size
    const expectedAtRisk = [1, 2, 3, 4, 5, 6]
      .filter(
        u => daysOf(u, pingDay - 14, pingDay) === 0 && daysOf(u, pingDay - 42, pingDay - 14) >= 4,
      )
      .map(u => ({ userId: u, activeDays: daysOf(u, pingDay - 42, pingDay - 14) }))
    expect(expectedAtRisk).not.toEqual([])
    const atRisk = (
      await getJson(`${gateway.url}/v1/insights/at-risk?instance=a&at=${at}`, adminKey)
    ).body as { users: { userId: number; activeDays: number }[] }
    expect(atRisk.users.map(({ userId, activeDays }) => ({ userId, activeDays }))).toEqual(
      expectedAtRisk,
    )

    const pings = await pingsOf(gateway.url, 'a')
    expectOnePerDay(pings, 'a')
    // At start, every day of the last 30 not yet answered: the history is 40 days long.
    expect(pings.map(entry => entry.day).slice(0, 30)).toEqual(
      Array.from({ length: 30 }, (_, index) => formatDay(pingDay - 29 + index)),
    )
    const ping = pings.find(entry => entry.day === at) as StoredPing
    const active = (
      await getJson(`${instanceA.url}/admin/api/insights/active-users?at=${at}`, adminToken)
    ).body as { dau: number; wau: number; mau: number; stickiness: number }
    const expected = {
      dau: activeIn(historyA, pingDay, 1),
      wau: activeIn(historyA, pingDay, 7),
      mau: activeIn(historyA, pingDay, 30),
    }
    expect(expected.dau).toBeGreaterThan(0)
    expect(expected.mau).toBeGreaterThan(expected.dau)
    expect({ dau: ping.dau, wau: ping.wau, mau: ping.mau }).toEqual(expected)
    expect({ dau: active.dau, wau: active.wau, mau: active.mau }).toEqual(expected)
    expect(ping.stickiness).toBe(active.stickiness)
    expect(ping.store).toBe('sqlite')

    // Per feature and action: the day's and the 30 days' events and users, from the lines.
    const expectedFeatures = features
      .map(([feature, action]) => {
        const of = (span: number) =>
          count(
            p =>
              p.feature === feature &&
              p.action === action &&
              p.day > pingDay - span &&
              p.day <= pingDay,
          )
        return { feature, action, day: of(1), month: of(30) }
      })
      .filter(entry => entry.month.events > 0)
    const byName = (
      x: { feature: string; action: string },
      y: { feature: string; action: string },
    ) => (`${x.feature}\n${x.action}` < `${y.feature}\n${y.action}` ? -1 : 1)
    expect([...ping.features].sort(byName)).toEqual(expectedFeatures.sort(byName))
  })

  it('keeps one ping per (instance, day) through a second instance, a resend and restarts', async () => {
    const instanceB = await startInstance('b', dataDirs.b, gateway.url, 'redact')
    await eventually(async () => {
      expect(await eventsAt(gateway.url, 'b')).toBe(historyB.length)
      expect((await pingsOf(gateway.url, 'b')).map(ping => ping.day)).toContain(formatDay(pingDay))
    })
    const pingsB = await pingsOf(gateway.url, 'b')
    expectOnePerDay(pingsB, 'b')
    // B's history begins 6 days back: no ping before its first day.
    expect(pingsB.map(ping => ping.day)[0]).toBe(formatDay(pingDay - 5))
    const bPing = pingsB.find(entry => entry.day === formatDay(pingDay)) as StoredPing
    expect(bPing.dau).toBe(activeIn(historyB, pingDay, 1))
    expect(bPing.mau).toBe(activeIn(historyB, pingDay, 30))

    const before = await pingsOf(gateway.url, 'a')
    const original = before.find(entry => entry.day === formatDay(pingDay)) as StoredPing

    // A resend by hand: the same ping, and one whose figures differ; the first is kept.
    const post = (body: unknown) =>
      fetch(`${gateway.url}/v1/pings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keys.a}`,
          'x-tally-instance': 'a',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    for (const body of [
      original,
      { ...original, dau: original.dau + 1, wau: original.wau + 1, mau: original.mau + 1 },
    ]) {
      const response = await post(body)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ accepted: [original.id], rejected: [] })
    }
    expect(await heldThrough(gateway.url, 'a', before)).toEqual(before)

    // Instance A restarted with its ping log emptied, so that its worker sends every day again.
    await stop(instanceA.child)
    const database = new Database(join(dataDirs.a, 'tally.db'))
    expect(database.prepare('DELETE FROM ping_log').run().changes).toBeGreaterThanOrEqual(
      before.length,
    )
    database.close()
    instanceA = await startInstance('a', dataDirs.a, gateway.url, 'redact')
    await eventually(async () => {
      expect(await pingsSent(instanceA.url)).toBeGreaterThanOrEqual(before.length)
    })
    expect(await heldThrough(gateway.url, 'a', before)).toEqual(before)

    // The gateway restarted on the same folder and port; A and B keep exporting to it.
    const port = new URL(gateway.url).port
    await stop(gateway.child)
    gateway = await startGateway(['--data', gatewayDir], keysFile, Number(port))
    const resent = await post(original)
    expect(await resent.json()).toEqual({ accepted: [original.id], rejected: [] })
    expect(await heldThrough(gateway.url, 'a', before)).toEqual(before)
    expect(await heldThrough(gateway.url, 'b', pingsB)).toEqual(pingsB)
    expect(await eventsAt(gateway.url, 'a')).toBe(historyA.length)
    expect(await eventsAt(gateway.url, 'b')).toBe(historyB.length)
    await stop(instanceB.child)
  })

  it('receives neither events nor pings from an instance in off mode', async () => {
    // C has run since A started, through everything A and B sent at the same interval.
    const config = await fetch(`${instanceC.url}/.api/telemetry/config`)
    expect(await config.json()).toMatchObject({ exportMode: 'off' })
    expect(await eventsAt(gateway.url, 'c')).toBe(0)
    expect(await pingsOf(gateway.url, 'c')).toEqual([])
    await stop(instanceC.child)
  })

  it('pings hold no string but their id, instance, day, version, store and the feature and action names', async () => {
    const allowed = new Set<string>(['sqlite', features.flat()].flat())
    const forbidden = plantedStrings([...historyA, ...historyB, ...historyC])
    for (const instance of ['a', 'b']) {
      const pings = await pingsOf(gateway.url, instance)
      expect(pings.length).toBeGreaterThan(0)
      for (const ping of pings) {
        const strings: string[] = []
        const walk = (value: unknown) => {
          if (typeof value === 'string') strings.push(value)
          else if (Array.isArray(value)) value.forEach(walk)
          else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk)
        }
        walk(ping)
        const own = new Set([ping.id, ping.instance, ping.day, ping.version])
        for (const text of strings) {
          expect(forbidden.has(text), text).toBe(false)
          expect(own.has(text) || allowed.has(text), text).toBe(true)
        }
        // Nor inside a longer string: the whole ping, as text.
        const json = JSON.stringify(ping)
        for (const text of forbidden) {
          if (text.length > 2 && !allowed.has(text)) expect(json.includes(text), text).toBe(false)
        }
      }
    }
  })
})

describe('a gateway on PostgreSQL', { timeout: 240_000 }, () => {
  const server = testDatabaseUrl
  const admin = new pg.Pool({ connectionString: server, max: 1, connectionTimeoutMillis: 3_000 })
  admin.on('error', () => undefined)
  // A database of its own, dropped after: the gateway's schemas are the test's alone.
  const database = `tally_gateway_e2e_${randomBytes(6).toString('hex')}`
  const url = new URL(server)
  url.pathname = `/${database}`
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.end()
  })

  it('keeps one ping per (instance, day) through a resend and a restart', async () => {
    await admin.query(`CREATE DATABASE ${database}`)
    let postgresGateway = await startGateway(['--database-url', url.href], keysFile)
    const dataDir = join(workDir, 'instance-b-postgres')
    mkdirSync(dataDir)
    importLines(dataDir, historyB, 'postgres')
    const instance = await startInstance('b', dataDir, postgresGateway.url, 'redact')
    await eventually(async () => {
      expect(await eventsAt(postgresGateway.url, 'b')).toBe(historyB.length)
      expect((await pingsOf(postgresGateway.url, 'b')).map(ping => ping.day)).toContain(
        formatDay(pingDay),
      )
    })
    const before = await pingsOf(postgresGateway.url, 'b')
    expectOnePerDay(before, 'b')
    // From B's first day on, each day once, through the day its history ends.
    expect(before.map(ping => ping.day).slice(0, 6)).toEqual(
      Array.from({ length: 6 }, (_, index) => formatDay(pingDay - 5 + index)),
    )
    const original = before.find(ping => ping.day === formatDay(pingDay)) as StoredPing
    expect(original.dau).toBe(activeIn(historyB, pingDay, 1))
    expect(original.mau).toBe(activeIn(historyB, pingDay, 30))
    const at = formatDay(pingDay)
    const local = await getJson(
      `${instance.url}/admin/api/insights/active-users?at=${at}`,
      adminToken,
    )
    const remote = await getJson(
      `${postgresGateway.url}/v1/insights/active-users?instance=b&at=${at}`,
      adminKey,
    )
    expect(remote).toEqual(local)

    const post = (gatewayUrl: string, body: unknown) =>
      fetch(`${gatewayUrl}/v1/pings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keys.b}`,
          'x-tally-instance': 'b',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      })
    const again = await post(postgresGateway.url, {
      ...original,
      dau: original.dau + 1,
      wau: original.wau + 1,
      mau: original.mau + 1,
    })
    expect(await again.json()).toEqual({ accepted: [original.id], rejected: [] })

    const port = Number(new URL(postgresGateway.url).port)
    await stop(postgresGateway.child)
    postgresGateway = await startGateway(['--database-url', url.href], keysFile, port)
    const resent = await post(postgresGateway.url, original)
    expect(await resent.json()).toEqual({ accepted: [original.id], rejected: [] })
    expect(await heldThrough(postgresGateway.url, 'b', before)).toEqual(before)
    expect(await eventsAt(postgresGateway.url, 'b')).toBe(historyB.length)
    await stop(instance.child)
    await stop(postgresGateway.child)
  })
})
