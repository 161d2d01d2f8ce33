import type { TelemetryEvent } from '../../protocol/event.js'
import type { StoredEvent } from './event-store.js'

/**
 * The stored format, version 4 (fixtures in test/client/stores/fixtures/ pin each version;
 * `upgradeQueue` migrates older ones):
 * - object store `chunks`: out-of-line autoIncrement keys, which order the queue across tabs;
 *   values `{ v: 3, events }`, `events` a run of `{ event, bytes }` written by one append
 *   (`event` a structured clone of the TelemetryEvent, its Date intact; `bytes` its estimated
 *   size), several runs where an append's estimated bytes pass the store's chunk bound. One
 *   record per append, not per event: Chromium pays for every request, which capped
 *   version 1 at a few thousand events a second. No index: version 2's
 *   unique multiEntry index over every id wrote one index row per event and halved the
 *   append rate; an id is now looked up only where it can be a second copy (the store's
 *   `append`).
 * - object store `meta`, out-of-line keys: `totals` → `{ count, bytes }`, the sums over
 *   `chunks`, kept in the transactions that change them; `claim` → `{ owner, expires }` (epoch
 *   ms), the senders' lease (indexeddb-lease.ts).
 *
 * Version 3 was the same but for the totals, two entries `count` and `bytes` in `meta`: one
 * request each to read and to write in every append, a fifth of its time in Chromium.
 * Version 2 had the same chunks (`v: 2`) with an `ids` array under a unique multiEntry index
 * `ids`; they stay until sent or rewritten.
 * Version 1 kept one `{ v: 1, event, bytes }` record per event in `events`, unique index `id`.
 */
export interface Chunk {
  v: 2 | 3
  events: StoredEvent[]
}

/** The sums over `chunks`, under the key `totals` in `meta`. */
export interface Totals {
  count: number
  bytes: number
}

export const queueVersion = 4

/** Events a chunk migrated from version 1 holds; appends make chunks of whatever they carry. */
const migratedChunkSize = 100

/** Brings a database of any earlier version to version 4, inside its upgrade transaction. */
export function upgradeQueue(db: IDBDatabase, transaction: IDBTransaction, oldVersion: number) {
  switch (oldVersion) {
    case 0:
      db.createObjectStore('chunks', { autoIncrement: true })
      db.createObjectStore('meta')
      break
    case 1: {
      // Version 1's records, in key order, become chunks; its byte total stays valid.
      const chunks = db.createObjectStore('chunks', { autoIncrement: true })
      const meta = transaction.objectStore('meta')
      const bytes = meta.get('bytes')
      const read = transaction.objectStore('events').getAll()
      read.onsuccess = () => {
        const records = read.result as { event: TelemetryEvent; bytes: number }[]
        for (let start = 0; start < records.length; start += migratedChunkSize) {
          const events = records
            .slice(start, start + migratedChunkSize)
            .map(({ event, bytes }) => ({ event, bytes }))
          chunks.add({ v: 3, events } satisfies Chunk)
        }
        putTotals(meta, records.length, bytes.result)
        db.deleteObjectStore('events')
      }
      break
    }
    case 2:
      // Its chunks stay as they are, `ids` and all, until sent or rewritten: reads take only
      // `events`.
      transaction.objectStore('chunks').deleteIndex('ids')
      moveTotals(transaction.objectStore('meta'))
      break
    case 3:
      moveTotals(transaction.objectStore('meta'))
  }
}

/** Versions 2 and 3 keep their totals under `count` and `bytes`. */
function moveTotals(meta: IDBObjectStore): void {
  const count = meta.get('count')
  const bytes = meta.get('bytes')
  bytes.onsuccess = () => putTotals(meta, count.result, bytes.result)
}

/** Moves the totals of versions 1 to 3 (missing where nothing was queued) to `totals`. */
function putTotals(meta: IDBObjectStore, count: unknown, bytes: unknown): void {
  meta.put(
    { count: (count as number | undefined) ?? 0, bytes: (bytes as number | undefined) ?? 0 },
    'totals',
  )
  meta.delete('count')
  meta.delete('bytes')
}
