import { wrap, type DBSchema, type IDBPDatabase } from 'idb'
import type { EventStore, StoredEvent } from './event-store.js'
import { indexedDbLease, type IndexedDbLease } from './indexeddb-lease.js'
import type { Chunk } from './indexeddb-schema.js'
import type { walkChunks, Write } from './indexeddb-store.js'

interface Schema extends DBSchema {
  chunks: { key: number; value: Chunk }
}

/**
 * What only a sender does with the queue (read a batch, remove what was acknowledged, lease),
 * and the lookup of ids an earlier page may have stored already.
 */
export type IndexedDbReadSide = Pick<EventStore, 'peek' | 'remove'> &
  IndexedDbLease & {
    /** Those of `ids` the queue holds. */
    stored(ids: ReadonlySet<string>): Promise<Set<string>>
  }

/** The store's own primitives, handed over so that both sides keep the totals alike. */
export interface QueueAccess {
  connection: IDBDatabase
  write: Write
  walk: typeof walkChunks
}

/**
 * The read side of the IndexedDB queue, in the sender's chunk: a page that only records never
 * loads it. It takes the store's primitives as arguments rather than imports, so that the
 * chunk needs nothing from the entry beyond its public exports (an import of anything else
 * would make bundlers split the entry in two).
 */
export function indexedDbReadSide({ connection, write, walk }: QueueAccess): IndexedDbReadSide {
  const db = wrap(connection) as unknown as IDBPDatabase<Schema>
  return {
    async peek(maxEvents, maxBytes) {
      const batch: StoredEvent[] = []
      let total = 0
      const store = db.transaction('chunks').store
      for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
        for (const { event, bytes } of cursor.value.events) {
          if (batch.length > 0 && total + bytes > maxBytes) return batch
          batch.push({ event, bytes })
          total += bytes
          if (batch.length >= maxEvents) return batch
        }
      }
      return batch
    },
    async stored(ids) {
      const found = new Set<string>()
      const store = db.transaction('chunks').store
      let cursor = await store.openCursor()
      for (; cursor && found.size < ids.size; cursor = await cursor.continue()) {
        for (const { event } of cursor.value.events) if (ids.has(event.id)) found.add(event.id)
      }
      return found
    },
    remove(ids) {
      const wanted = new Set(ids)
      return write(
        ({ chunks, totals, done, guard }) => {
          if (wanted.size === 0) return done()
          // Acknowledged ids are nearly always the oldest: walk from the front and stop
          // once every id is found, one request per chunk rather than per event.
          walk(
            chunks,
            guard,
            events => {
              const kept = events.filter(({ event }) => !wanted.has(event.id))
              if (kept.length < events.length) {
                for (const entry of events) {
                  if (!wanted.delete(entry.event.id)) continue
                  totals.count--
                  totals.bytes -= entry.bytes
                }
              }
              return [kept, wanted.size > 0]
            },
            done,
          )
        },
        totals => totals.count,
      )
    },
    ...indexedDbLease(connection),
  }
}
