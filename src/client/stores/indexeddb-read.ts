import { wrap, type DBSchema, type IDBPDatabase } from 'idb'
import type { EventStore, StoredEvent } from './event-store.js'
import { indexedDbLease, type IndexedDbLease } from './indexeddb-lease.js'
import type { Chunk, Totals } from './indexeddb-schema.js'
import type { walkChunks, Write } from './indexeddb-store.js'

/** What only a sender does with the queue: read a batch, remove what was acknowledged, lease. */
export type IndexedDbReadSide = Pick<EventStore, 'peek' | 'remove'> & IndexedDbLease

/** The store's own primitives, handed over so that both sides keep the totals alike. */
export interface QueueAccess {
  connection: IDBDatabase
  write: Write
  walk: typeof walkChunks
}

interface Schema extends DBSchema {
  chunks: { key: number; value: Chunk }
  meta: { key: string; value: Totals }
}

/** What the last peek read: the totals' `cut`, and the chunks it took every event of. */
interface Peeked {
  cut: number | undefined
  whole: { key: IDBValidKey; events: StoredEvent[] }[]
}

/**
 * The read side of the IndexedDB queue, in the sender's chunk: a page that only records never
 * loads it. It takes the store's primitives as arguments rather than imports, so that the
 * chunk needs nothing from the entry beyond its public exports (an import of anything else
 * would make bundlers split the entry in two).
 */
export function indexedDbReadSide({ connection, write, walk }: QueueAccess): IndexedDbReadSide {
  const db = wrap(connection) as unknown as IDBPDatabase<Schema>
  let peeked: Peeked | undefined
  return {
    async peek(maxEvents, maxBytes) {
      const batch: StoredEvent[] = []
      const whole: Peeked['whole'] = []
      let total = 0
      const tx = db.transaction(['chunks', 'meta'])
      // In the same transaction as the chunks: `cut` then vouches for what they held.
      const totals = tx.objectStore('meta').get('totals')
      const chunks = tx.objectStore('chunks')
      for (let cursor = await chunks.openCursor(); cursor; cursor = await cursor.continue()) {
        const { events } = cursor.value
        let taken = 0
        for (const entry of events) {
          if (batch.length > 0 && total + entry.bytes > maxBytes) break
          batch.push(entry)
          total += entry.bytes
          taken++
          if (batch.length >= maxEvents) break
        }
        if (taken === events.length) whole.push({ key: cursor.primaryKey, events })
        if (taken < events.length || batch.length >= maxEvents) break
      }
      const cut = (await totals)?.cut
      peeked = { cut: typeof cut === 'number' ? cut : undefined, whole }
      return batch
    },
    remove(ids) {
      const wanted = new Set(ids)
      const last = peeked
      peeked = undefined
      return write(
        context => {
          const { chunks, totals, done, cut } = context
          // A chunk the last peek read whole, with no event taken out of the queue since (the
          // same `cut`), holds what it held then: when all of it was acknowledged it goes by its
          // key, unread. Reading it back costs a structured clone per event.
          if (last?.cut !== undefined && last.cut === totals.cut) {
            for (const { key, events } of last.whole) {
              if (!events.every(({ event }) => wanted.has(event.id))) continue
              chunks.delete(key)
              cut()
              for (const { event, bytes } of events) {
                wanted.delete(event.id)
                totals.count--
                totals.bytes -= bytes
              }
            }
          }
          if (wanted.size === 0) return done()
          // The rest, nearly always the oldest: walk from the front and stop once every id is
          // found, one request per chunk rather than per event.
          walk(
            context,
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
