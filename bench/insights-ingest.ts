// Ingest over HTTP with the insights' rollups kept in the insert transaction, beside the same
// ingest into a store whose insert writes the events alone (the same INSERT, no rollups).
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { encodeBatch } from '../src/protocol/wire.js'
import { tuneSqliteConnection } from '../src/server/stores/sqlite-connection.js'
import { preparedStatements } from '../src/server/stores/prepared-statements.js'
import { insertEventRows } from '../src/server/stores/sqlite-event-rows.js'
import type { IngestedEvent, ServerEventStore } from '../src/server/stores/server-event-store.js'
import { history } from './insights-history.js'
import { builtServer } from './built-server.js'
import { ingestRate } from './server.js'

const batchSize = 500

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
    const kept = builtServer.openSqliteStore({ path: path('rollups') })
    await kept.migrate()
    const withRollups = await ingestRate(kept, bodies, all.length)
    await kept.close()
    const plain = builtServer.openSqliteStore({ path: path('plain') })
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
