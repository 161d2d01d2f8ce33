// The instance backend: ingest through the real HTTP handler on SQLite and PostgreSQL,
// beside raw better-sqlite3 inserts of the same rows (the ceiling), and export throughput.
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { serve } from '@hono/node-server'
import Database from 'better-sqlite3'
import type { TelemetryEvent } from '../src/protocol/event.js'
import { encodeBatch } from '../src/protocol/wire.js'
import { preparedStatements } from '../src/server/stores/prepared-statements.js'
import type { IngestedEvent, ServerEventStore } from '../src/server/stores/server-event-store.js'
import { tuneSqliteConnection } from '../src/server/stores/sqlite-connection.js'
import { insertEventRows } from '../src/server/stores/sqlite-event-rows.js'
import { migrateSqlite } from '../src/server/stores/sqlite-schema.js'
import { builtServer } from './built-server.js'
import { median, printTable } from './lib.js'

const {
  bearerTokens,
  createExportWorker,
  createTelemetryHandler,
  openPostgresStore,
  openSqliteStore,
  startGateway,
} = builtServer

const token = 'bench-token-0123456789'
/**
 * Events per round. Rounds of 20,000 were over in a quarter of a second, and the median of 3
 * gave 55 to 79 % for the ingest share between runs of the same code; 100,000 in 5 rounds
 * gave 62 to 66 %.
 */
const totalEvents = 100_000
/** Alternated rounds of raw inserts and ingest, for each batch size. */
const rounds = 5
/** Requests in flight at once, as several clients would have. */
const concurrency = 4

let counter = 0
function makeEvents(count: number): TelemetryEvent[] {
  return Array.from({ length: count }, () => ({
    id: `bench-${String(++counter).padStart(15, '0')}`,
    timestamp: new Date(),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: '6.1.0' },
    sessionId: 'bench-session-000001',
    parameters: {
      version: 1,
      metadata: { regex: 1, resultCount: 37 },
      privateMetadata: { query: 'repo:^github.com/org/repo$ useState', patternType: 'literal' },
    },
  }))
}

/**
 * Posts the bodies with `concurrency` requests in flight over kept-alive connections; reports
 * the elapsed ms. node:http rather than fetch: the load shares the machine's two cores with
 * the server, and fetch measured three times the CPU a request.
 */
const loadGenerator = `
const { parentPort, workerData } = require('node:worker_threads')
const http = require('node:http')
const { url, bodies, token, concurrency } = workerData
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
const headers = { 'content-type': 'application/json', authorization: 'Bearer ' + token }
const post = body => new Promise((resolve, reject) => {
  const options = { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }
  const request = http.request(url, options, response => {
    if (response.statusCode !== 200) reject(new Error('ingest answered ' + response.statusCode))
    response.resume().on('end', resolve).on('error', reject)
  })
  request.on('error', reject)
  request.end(body)
})
let next = 0
const start = performance.now()
Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < bodies.length) await post(bodies[next++])
})).then(() => {
  parentPort.postMessage(performance.now() - start)
  agent.destroy()
})
`

/**
 * Events/s through the real handler over HTTP: `bodies` (encoded batches holding `events` in
 * all) posted with `concurrency` requests in flight, from another thread, as they would come
 * from other machines: sharing the server's event loop would bill the client's work to ingest.
 */
export async function ingestRate(
  store: ServerEventStore,
  bodies: string[],
  events: number,
): Promise<number> {
  const handler = createTelemetryHandler({
    store,
    authenticate: bearerTokens(new Map([['bench', token]])),
    maxEventsPerMinute: 1e9,
  })
  const server = serve({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>(resolve => server.once('listening', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.api/telemetry/events`
  const ms = await new Promise<number>((resolve, reject) => {
    const worker = new Worker(loadGenerator, {
      eval: true,
      workerData: { url, bodies, token, concurrency },
    })
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await new Promise<void>(resolve => server.close(() => resolve()))
  return events / (ms / 1000)
}

function ingestBatchesRate(store: ServerEventStore, batchSize: number): Promise<number> {
  const bodies = Array.from({ length: totalEvents / batchSize }, () =>
    encodeBatch({ events: makeEvents(batchSize), sentAt: new Date() }),
  )
  return ingestRate(store, bodies, totalEvents)
}

/**
 * The store's events INSERT alone, on a connection of its own with the store's settings, a
 * transaction a batch, into `path` (migrated first if it is not): the ceiling raw inserts set
 * here, and the rollups bench's store without its rollups.
 */
export function eventsOnlyInsert(path: string): {
  insert(events: readonly IngestedEvent[]): number
  close(): void
} {
  const db = new Database(path)
  tuneSqliteConnection(db)
  migrateSqlite(db)
  const sql = preparedStatements(db)
  const insert = db.transaction(
    (events: readonly IngestedEvent[]) => insertEventRows(sql, events).length,
  )
  return {
    insert: (events: readonly IngestedEvent[]) => insert.immediate(events),
    close: () => db.close(),
  }
}

/**
 * The rows the store writes for the same events (every column, the one user the bench token
 * maps to) through `eventsOnlyInsert`: the ceiling.
 */
function rawSqliteRate(path: string, batchSize: number): number {
  const rows = eventsOnlyInsert(path)
  const batches = Array.from({ length: totalEvents / batchSize }, () =>
    makeEvents(batchSize).map(event => ({
      event,
      userId: 1,
      receivedAt: new Date(),
      correctedTimestamp: event.timestamp,
    })),
  )
  const start = performance.now()
  for (const batch of batches) rows.insert(batch)
  const seconds = (performance.now() - start) / 1000
  rows.close()
  return totalEvents / seconds
}

async function exportRate(store: ServerEventStore): Promise<number> {
  const instanceKeys = new Map([['bench', 'bench-instance-key-0123']])
  const gateway = await startGateway({ port: 0, instanceKeys })
  const worker = createExportWorker({
    store,
    gatewayUrl: gateway.url,
    instanceId: 'bench',
    instanceKey: 'bench-instance-key-0123',
    maxBatchEvents: 5_000,
  })
  const start = performance.now()
  let exported = 0
  for (;;) {
    const result = await worker.runOnce()
    if (result.status !== 'exported') break
    exported += result.accepted
  }
  const seconds = (performance.now() - start) / 1000
  await worker.stop()
  await gateway.close()
  return exported / seconds
}

const rate = (value: number) => `${Math.round(value).toLocaleString('en')} events/s`

/** Prints the table; resolves with SQLite ingest over raw inserts, batches of 500 (0 to 1). */
export async function benchServer(databaseUrl: string | undefined): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), 'tally-bench-'))
  const rows: string[][] = []
  let ingestShare = Number.NaN
  try {
    for (const batchSize of [100, 500]) {
      // Alternated rounds, each into fresh files, and the median of each side: one round on a
      // shared two-core machine swings by a third.
      const raws: number[] = []
      const ingests: number[] = []
      let last: ServerEventStore | undefined
      for (let round = 0; round < rounds; round++) {
        raws.push(rawSqliteRate(join(directory, `raw-${batchSize}-${round}.db`), batchSize))
        await last?.close()
        last = openSqliteStore({ path: join(directory, `store-${batchSize}-${round}.db`) })
        await last.migrate()
        ingests.push(await ingestBatchesRate(last, batchSize))
      }
      const raw = median(raws)
      const ingest = median(ingests)
      if (batchSize === 500) ingestShare = ingest / raw
      rows.push([
        `SQLite, batches of ${batchSize} (median of ${rounds})`,
        rate(ingest),
        rate(raw),
        `${((ingest / raw) * 100).toFixed(0)}%`,
      ])
      if (batchSize === 500 && last !== undefined)
        rows.push([
          'export from SQLite to a local gateway, batches of 5,000',
          rate(await exportRate(last)),
          '-',
          '-',
        ])
      await last?.close()
    }
    if (databaseUrl !== undefined) {
      for (const batchSize of [100, 500]) {
        const schema = `bench_${process.pid}_${batchSize}`
        const postgres = openPostgresStore({ connectionString: databaseUrl, schema })
        await postgres.migrate()
        const ingest = await ingestBatchesRate(postgres, batchSize)
        rows.push([`PostgreSQL, batches of ${batchSize}`, rate(ingest), '-', '-'])
        if (batchSize === 500)
          rows.push([
            'export from PostgreSQL to a local gateway',
            rate(await exportRate(postgres)),
            '-',
            '-',
          ])
        await postgres.close()
        const { Client } = await import('pg')
        const client = new Client({ connectionString: databaseUrl })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await client.end()
      }
    } else {
      rows.push(['PostgreSQL', 'skipped: set DATABASE_URL', '-', '-'])
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  printTable(
    `Instance backend, ${totalEvents.toLocaleString('en')} events through HTTP with ${concurrency} requests in flight (target: SQLite ingest ≥ 60% of raw inserts, batches of 500)`,
    ['path', 'throughput', 'raw better-sqlite3 inserts', 'ingest / raw'],
    rows,
  )
  return ingestShare
}
