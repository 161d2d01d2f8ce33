// Ingest over HTTP with the insights' rollups kept in the insert transaction, beside the same
// ingest into a store whose insert writes the events alone (the same INSERT, no rollups).
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { encodeBatch } from '../src/protocol/wire.js'
import type { ServerEventStore } from '../src/server/stores/server-event-store.js'
import { history } from './insights-history.js'
import { builtServer } from './built-server.js'
import { median } from './lib.js'
import { eventsOnlyInsert, ingestRate } from './server.js'

const batchSize = 500

/**
 * The store, its insert replaced by the store's own events INSERT alone, on a second
 * connection: what the rollups add is the only difference.
 */
function withoutRollups(store: ServerEventStore, path: string): ServerEventStore {
  const rows = eventsOnlyInsert(path)
  return {
    ...store,
    insert: async events => rows.insert(events),
    close: async () => {
      rows.close()
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
    const loadMs = (all.length / (await ingestRate(kept, bodies, all.length))) * 1000
    // The store writes its rollups behind the events: what it still holds is written before
    // the first read, and counted here as part of ingest.
    const settling = performance.now()
    await kept.insights?.settle()
    const withRollups = all.length / ((loadMs + performance.now() - settling) / 1000)
    await kept.close()
    const plain = builtServer.openSqliteStore({ path: path('plain') })
    await plain.migrate()
    const bare = withoutRollups(plain, path('plain'))
    const withoutRollupsRate = await ingestRate(bare, bodies, all.length)
    await bare.close()
    rates.push({ withRollups, withoutRollups: withoutRollupsRate })
  }
  return {
    withRollups: median(rates.map(r => r.withRollups)),
    withoutRollups: median(rates.map(r => r.withoutRollups)),
  }
}
