import type { TelemetryEvent } from '../../protocol/event.js'
import type { Chunk } from './indexeddb-schema.js'

/** Events a chunk migrated from version 1 holds; appends make chunks of whatever they carry. */
const migratedChunkSize = 100

/**
 * Brings a database of version 1 to 3 to version 4, inside its upgrade transaction. Only a
 * browser that ran an older Tally needs it, once: it comes with the sender's chunk.
 */
export function upgradeQueue(db: IDBDatabase, transaction: IDBTransaction, oldVersion: number) {
  switch (oldVersion) {
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
