// Ingest over HTTP with the insights' rollups kept in the insert transaction, beside the same
// ingest into a store whose insert writes the events alone (the same INSERT, no rollups).
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { serve } from '@hono/node-server'
import Database from 'better-sqlite3'
import { encodeBatch } from '../src/protocol/wire.js'
import { bearerTokens } from '../src/server/auth.js'
import { createTelemetryHandler } from '../src/server/handler.js'
import { tuneSqliteConnection } from '../src/server/stores/sqlite-connection.js'
import { preparedStatements } from '../src/server/stores/prepared-statements.js'
import { insertEventRows } from '../src/server/stores/sqlite-event-rows.js'
import type { IngestedEvent, ServerEventStore } from '../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../src/server/stores/sqlite-store.js'
import { history } from './insights-history.js'
import { loadGenerator } from './server.js'

const token = 'bench-token-0123456789'
const batchSize = 500
const concurrency = 4

async function ingestRate(store: ServerEventStore, bodies: string[], events: number) {
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

/**
 * The store, its insert replaced by the store's own events INSERT alone, on a second
 * connection: what the rollups add is the only difference.
 */
function withoutRollups(store: ServerEventStore, path: string): ServerEventStore {
  const db = new Database(path)
  tuneSqliteConnection(db)
  const sql = preparedStatements(db)
  const insert = db.transaction(
    (events: readonly IngestedEvent[]) => insertEventRows(sql, events).length,
  )
  return {
    ...store,
    insert: async events => insert.immediate(events),
    close: async () => {
      db.close()
      await store.close()
    },
  }
}

/** Events/s with the rollups and without, each into a fresh store in `directory`. */
export async function benchIngestRollups(directory: string, events: number) {
  // Varied features and sessions as the history has them, sent as of now (ingest corrects
  // timestamps against the clock), `events` in all.
  const now = Date.now()
  const all = [...history(events, 50)].map(({ event }, index) => ({
    ...event,
    id: `ingest-${index}`,
    timestamp: new Date(now - (events - index)),
  }))
  const bodies: string[] = []
  for (let start = 0; start < all.length; start += batchSize) {
    bodies.push(encodeBatch({ events: all.slice(start, start + batchSize), sentAt: new Date() }))
  }
  const rates: { withRollups: number; withoutRollups: number }[] = []
  // Alternated, three rounds each, so neither side gets the quieter moments of a shared machine.
  for (let round = 0; round < 3; round += 1) {
    const path = (name: string) => join(directory, `ingest-${name}-${round}.db`)
    const kept = openSqliteStore({ path: path('rollups') })
    await kept.migrate()
    const withRollups = await ingestRate(kept, bodies, all.length)
    await kept.close()
    const plain = openSqliteStore({ path: path('plain') })
    await plain.migrate()
    const bare = withoutRollups(plain, path('plain'))
    const withoutRollupsRate = await ingestRate(bare, bodies, all.length)
    await bare.close()
    rates.push({ withRollups, withoutRollups: withoutRollupsRate })
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1] ?? Number.NaN
  return {
    withRollups: median(rates.map(r => r.withRollups)),
    withoutRollups: median(rates.map(r => r.withoutRollups)),
  }
}
