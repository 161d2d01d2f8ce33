// The insights at scale (issue 12): a 90-day history of `TALLY_BENCH_EVENTS` events (default
// 10,000,000) from 5,000 users imported into SQLite, every insights endpoint timed through the
// admin API, the same on PostgreSQL (`TALLY_BENCH_PG_EVENTS`, default 1,000,000: a 10 M import
// there takes far longer on a small machine), and HTTP ingest with the rollups against without.
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Hono } from 'hono'
import { customRandom, urlAlphabet } from 'nanoid'
import { createAdminRoutes } from '../src/server/admin/admin-routes.js'
import { importBatchEvents } from '../src/server/commands/import.js'
import { openPostgresStore } from '../src/server/stores/postgres-store.js'
import type { IngestedEvent, ServerEventStore } from '../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../src/server/stores/sqlite-store.js'
import { dumpLine } from '../src/server/commands/dump.js'
import { seededRandom } from '../src/demo/seeded-random.js'
import { dayMs, history, lastDay } from './insights-history.js'
import { benchIngestRollups } from './insights-ingest.js'
import { printTable } from './lib.js'

const users = 5_000
const adminToken = 'bench-admin-token-0123456789'
const maxP95Ms = 300
const runs = 20
/** An endpoint whose warm-up takes longer than this is timed over `slowRuns` only, to bound the run. */
const slowMs = 2_000
const slowRuns = 5
/** The last events, imported through `tally import` once the rest are stored. */
const maxImportedLines = 1_000_000
const tallyBin = fileURLToPath(new URL('../bin/tally.js', import.meta.url))

interface Rate {
  rate: number
  cpuRate?: number
}

const count = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a count`)
  return value
}

const day = (offset: number) => new Date((lastDay - offset) * dayMs).toISOString().slice(0, 10)

/** Every endpoint with the parameters an admin would typically give it. */
const questions: [string, string][] = [
  ['events, 30 days', '/events'],
  ['events, 90 days', `/events?from=${day(89)}`],
  ['events, feature=search', '/events?feature=search'],
  ['events, search submitted', '/events?feature=search&action=submitted'],
  ['events, one user', '/events?user=42'],
  ['events, where regex:1', '/events?where=regex:1'],
  ['events, search where regex:1', '/events?feature=search&action=submitted&where=regex:1'],
  ['events, 7 days where durationMs:250', `/events?from=${day(6)}&where=durationMs:250`],
  ['active-users', '/active-users'],
  ['power-users', '/power-users'],
  ['sessions, 30 days', '/sessions'],
  ['sessions, 7 days', `/sessions?from=${day(6)}`],
  ['features, 30 days', '/features'],
  ['features, 90 days', `/features?from=${day(89)}`],
  ['at-risk', '/at-risk'],
  ['lifecycle, 12 weeks', '/lifecycle'],
  ['retention, 12 weeks', '/retention'],
]

/** `tally import FILE` as installed (the built CLI) into `target`: its rate. */
function runImport(file: string, target: string[]): Rate & { imported: number } {
  const started = performance.now()
  const result = spawnSync(process.execPath, [tallyBin, 'import', file, ...target], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  })
  const seconds = (performance.now() - started) / 1000
  rmSync(file, { force: true })
  const summary = /^(\d+) stored, 0 already present, 0 refused$/.exec(result.stdout.trim())
  if (result.status !== 0 || summary === null) {
    throw new Error(`tally import failed (${result.status}): ${result.stdout}${result.stderr}`)
  }
  const imported = Number(summary[1])
  return { imported, rate: imported / seconds }
}

/** Random ids as the client makes them (nanoid's alphabet and length), from a seed. */
function randomIds(seed: number): () => string {
  const random = seededRandom(seed)
  return customRandom(urlAlphabet, 21, bytes =>
    Uint8Array.from({ length: bytes }, () => Math.floor(random() * 256)),
  )
}

/**
 * Fills the store with `events` events: all but the last `maxImportedLines` straight into the
 * store's insert, in the import's batches, then the rest through `tally import` as installed
 * (the built CLI), from a file written
 * beforehand, into the store that holds the rest already: the import's worst case.
 * With `dumpFile`, the same last events are also written there as a real dump would give them:
 * under random ids like the client's (the history's rise with time, which no real store's
 * do), in the dump's order (time, then id).
 */
async function fill(
  store: ServerEventStore,
  events: number,
  target: string[],
  directory: string,
  dumpFile?: string,
): Promise<{ stored: number; import: Rate; insert: Rate | undefined }> {
  const all = history(events, users)
  const inserting = events - Math.min(events, maxImportedLines)
  let inserted = 0
  let insertMs = 0
  let insertCpuMs = 0
  let batch: IngestedEvent[] = []
  const flush = async () => {
    const [wall, cpu] = [performance.now(), cpuMs()]
    inserted += await store.insert(batch)
    insertMs += performance.now() - wall
    insertCpuMs += cpuMs() - cpu
    batch = []
  }
  for (let n = 0; n < inserting; n += 1) {
    const next = all.next()
    if (next.done === true) break
    batch.push(next.value)
    if (batch.length === importBatchEvents[store.kind]) await flush()
  }
  await flush()
  const file = join(directory, 'import.jsonl')
  const out = createWriteStream(file)
  const dumped: { ms: number; id: string; line: string }[] = []
  const nextId = randomIds(2027)
  for (const event of all) {
    if (!out.write(`${dumpLine(event)}\n`)) await once(out, 'drain')
    if (dumpFile === undefined) continue
    const id = nextId()
    const line = dumpLine({ ...event, event: { ...event.event, id } })
    dumped.push({ ms: event.correctedTimestamp.getTime(), id, line })
  }
  await endStream(out)
  if (dumpFile !== undefined) {
    dumped.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : 1))
    const dump = createWriteStream(dumpFile)
    for (const { line } of dumped.splice(0)) {
      if (!dump.write(`${line}\n`)) await once(dump, 'drain')
    }
    await endStream(dump)
  }
  const { imported, rate } = runImport(file, target)
  return {
    stored: inserted + imported,
    import: { rate },
    insert:
      inserted > 0
        ? { rate: inserted / (insertMs / 1000), cpuRate: inserted / (insertCpuMs / 1000) }
        : undefined,
  }
}

const endStream = (out: ReturnType<typeof createWriteStream>) =>
  new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  )

/** Times every question through the admin API of `store`, a row per endpoint into `rows`. */
export async function timeEndpoints(store: ServerEventStore, label: string, rows: string[][]) {
  const admin = createAdminRoutes({
    adminToken,
    exportMode: 'off',
    store,
    now: () => new Date(lastDay * dayMs + 12 * 3_600_000),
  })
  const app = new Hono().route('/admin', admin)
  const ask = async (path: string) => {
    const response = await app.request(`/admin/api/insights${path}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    if (response.status !== 200)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`)
    // The whole answer is read, as a client would.
    return (await response.json()) as unknown
  }
  for (const [name, path] of questions) {
    const warmup = performance.now()
    await ask(path)
    const times = performance.now() - warmup > slowMs ? slowRuns : runs
    const samples: number[] = []
    const cpuSamples: number[] = []
    for (let run = 0; run < times; run += 1) {
      const [start, cpu] = [performance.now(), cpuMs()]
      await ask(path)
      samples.push(performance.now() - start)
      cpuSamples.push(cpuMs() - cpu)
    }
    samples.sort((a, b) => a - b)
    cpuSamples.sort((a, b) => a - b)
    const p50 = samples[Math.floor(times * 0.5)] ?? Number.NaN
    const p95 = samples[Math.ceil(times * 0.95) - 1] ?? Number.NaN
    rows.push([
      label,
      name,
      `${p50.toFixed(1)} ms`,
      `${p95.toFixed(1)} ms`,
      `${(cpuSamples[Math.floor(times * 0.5)] ?? Number.NaN).toFixed(1)} ms`,
      String(times),
      p95 <= maxP95Ms ? 'PASS' : `FAIL (${(p95 / maxP95Ms).toFixed(1)}× the target)`,
    ])
    process.stderr.write(`  ${label} ${name}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms\n`)
  }
}

/** This process's CPU time so far, all threads, in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

const whole = (value: number) => Math.round(value).toLocaleString('en')
/** Events/s by the clock, and per second of this process's CPU time (the machine is shared). */
const rate = (value: Rate | undefined) =>
  value === undefined
    ? '-'
    : `${whole(value.rate)} events/s${value.cpuRate === undefined ? '' : ` (${whole(value.cpuRate)} per CPU-second)`}`

export async function benchInsights(databaseUrl: string | undefined) {
  const events = count('TALLY_BENCH_EVENTS', 10_000_000)
  const pgEvents = count('TALLY_BENCH_PG_EVENTS', Math.min(events, 1_000_000))
  const directory = mkdtempSync(join(tmpdir(), 'tally-bench-insights-'))
  const imports: string[][] = []
  const endpoints: string[][] = []
  try {
    const dataDir = join(directory, 'sqlite')
    const path = join(dataDir, 'tally.db')
    const sqlite = openSqliteStore({ path })
    await sqlite.migrate()
    const dumpFile = join(directory, 'dump.jsonl')
    const filled = await fill(sqlite, events, ['--data', dataDir], directory, dumpFile)
    const mb =
      (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 1e6
    imports.push([
      `SQLite, ${filled.stored.toLocaleString('en')} events (${mb.toFixed(0)} MB)`,
      rate(filled.insert),
      rate(filled.import),
    ])
    process.stderr.write(`  SQLite filled: ${imports.at(-1)?.join(', ')}\n`)
    await timeEndpoints(sqlite, 'SQLite', endpoints)
    await sqlite.close()
    // After the questions, which stay at `events`: the same last events again, as a dump of
    // a real store writes them.
    const fromDump = runImport(dumpFile, ['--data', dataDir])
    imports.push([
      `SQLite, a real dump's ${fromDump.imported.toLocaleString('en')} lines (random ids, time order) into ${filled.stored.toLocaleString('en')}`,
      '-',
      rate(fromDump),
    ])
    rmSync(dataDir, { recursive: true, force: true })

    if (databaseUrl !== undefined) {
      const { Client } = await import('pg')
      const database = `tally_bench_insights_${process.pid}`
      const admin = new Client({ connectionString: databaseUrl })
      await admin.connect()
      await admin.query(`CREATE DATABASE ${database}`)
      try {
        const url = new URL(databaseUrl)
        url.pathname = `/${database}`
        const postgres = openPostgresStore({ connectionString: url.toString() })
        await postgres.migrate()
        const pgFilled = await fill(
          postgres,
          pgEvents,
          ['--database-url', url.toString()],
          directory,
        )
        imports.push([
          `PostgreSQL, ${pgFilled.stored.toLocaleString('en')} events`,
          rate(pgFilled.insert),
          rate(pgFilled.import),
        ])
        await timeEndpoints(postgres, `PostgreSQL (${pgEvents.toLocaleString('en')})`, endpoints)
        await postgres.close()
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`)
        await admin.end()
      }
    } else {
      imports.push(['PostgreSQL', 'skipped: set DATABASE_URL', '-'])
    }

    const ingest = await benchIngestRollups(directory, 100_000)
    printTable(
      `Insights: import of a 90-day history from ${users.toLocaleString('en')} users (target: ≥ 50,000 events/s)`,
      [
        'store',
        `store insert in the import's batches (SQLite ${importBatchEvents.sqlite.toLocaleString('en')}, PostgreSQL ${importBatchEvents.postgres.toLocaleString('en')}), all but the last ${maxImportedLines.toLocaleString('en')}`,
        `tally import FILE (the last ${maxImportedLines.toLocaleString('en')})`,
      ],
      imports,
    )
    printTable(
      `Insights endpoints through the admin API, ${runs} runs after a warm-up (${slowRuns} when the warm-up takes over ${slowMs / 1000} s), load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores at the end (target: p95 ≤ ${maxP95Ms} ms on SQLite at 10,000,000 events)`,
      ['store', 'endpoint', 'p50', 'p95', 'p50 CPU time', 'runs', 'verdict'],
      endpoints,
    )
    const ratio = ingest.withRollups / ingest.withoutRollups
    printTable(
      'Ingest over HTTP, 100,000 events in batches of 500, 4 in flight, median of 3 alternated rounds (target: with rollups ≥ 90% of without)',
      ['SQLite with rollups', 'events INSERT alone', 'ratio', 'verdict'],
      [
        [
          `${whole(ingest.withRollups)} events/s`,
          `${whole(ingest.withoutRollups)} events/s`,
          `${(ratio * 100).toFixed(0)}%`,
          ratio >= 0.9 ? 'PASS' : 'FAIL',
        ],
      ],
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
