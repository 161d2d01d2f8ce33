import { wrap, type DBSchema, type IDBPDatabase } from 'idb'
import type { TelemetryEvent } from '../../protocol/event.js'
import type { EventStore, StoreBounds, StoredEvent } from './event-store.js'
import { indexedDbLease, type IndexedDbLease } from './indexeddb-lease.js'

export interface IndexedDbStoreOptions {
  bounds: StoreBounds
  /** @default 'tally-telemetry' */
  name?: string
  /** For tests and other realms. @default globalThis.indexedDB */
  indexedDB?: IDBFactory
}

/** The browser's durable queue, shared by every tab of an origin, with the senders' lease. */
export interface IndexedDbStore extends EventStore, IndexedDbLease {
  readonly kind: 'indexeddb'
}

/**
 * The stored format, version 2 (fixtures in test/client/stores/fixtures/ pin each version;
 * `upgrade` migrates older ones):
 * - object store `chunks`: out-of-line autoIncrement keys, which order the queue across tabs;
 *   values `{ v: 2, ids, events }`, `events` a run of `{ event, bytes }` written by one append
 *   (`event` a structured clone of the TelemetryEvent, its Date intact; `bytes` its estimated
 *   size) and `ids` their ids, under a unique multiEntry index `ids`, so that an id is stored
 *   once. One record per append, not per event: Chromium pays an IPC round trip for every
 *   request, which capped version 1 at a few thousand events a second.
 * - object store `meta`, out-of-line keys: `bytes` and `count` → the sums over `chunks`, kept
 *   in the transactions that change them; `claim` → `{ owner, expires }` (epoch ms), the
 *   senders' lease (indexeddb-lease.ts).
 * Version 1 kept one `{ v: 1, event, bytes }` record per event in `events`, unique index `id`.
 */
interface Chunk {
  v: 2
  ids: string[]
  events: StoredEvent[]
}

interface Schema extends DBSchema {
  chunks: { key: number; value: Chunk; indexes: { ids: string } }
  meta: { key: 'bytes' | 'count'; value: number }
}

const version = 2

/** Events a migrated chunk holds; appends make chunks of whatever they carry. */
const migratedChunkSize = 100

function createChunks(db: IDBDatabase): IDBObjectStore {
  const chunks = db.createObjectStore('chunks', { autoIncrement: true })
  chunks.createIndex('ids', 'ids', { unique: true, multiEntry: true })
  return chunks
}

function upgrade(db: IDBDatabase, transaction: IDBTransaction, oldVersion: number): void {
  switch (oldVersion) {
    case 0:
      createChunks(db)
      db.createObjectStore('meta')
      break
    case 1: {
      // Version 1's records, in key order, become chunks; its byte total stays valid.
      const chunks = createChunks(db)
      const meta = transaction.objectStore('meta')
      const read = transaction.objectStore('events').getAll()
      read.onsuccess = () => {
        const records = read.result as { event: TelemetryEvent; bytes: number }[]
        for (let start = 0; start < records.length; start += migratedChunkSize) {
          const events = records
            .slice(start, start + migratedChunkSize)
            .map(({ event, bytes }) => ({ event, bytes }))
          chunks.add({ v: 2, ids: events.map(entry => entry.event.id), events } satisfies Chunk)
        }
        meta.put(records.length, 'count')
        db.deleteObjectStore('events')
      }
    }
  }
}

interface Totals {
  count: number
  bytes: number
}

type Guard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void

interface WriteContext {
  chunks: IDBObjectStore
  totals: Totals
  /** Writes the totals back; the transaction then commits. */
  done: () => void
  guard: Guard
}

/** Resolves when the transaction commits, rejects when it fails or aborts. */
function committed<T>(tx: IDBTransaction, result: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(result())
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
  })
}

/** Rejects (never throws synchronously) when IndexedDB is missing, blocked, or fails to open. */
export async function openIndexedDbStore({
  bounds,
  name = 'tally-telemetry',
  indexedDB: factory = globalThis.indexedDB,
}: IndexedDbStoreOptions): Promise<IndexedDbStore> {
  // Opened by hand, then wrapped: idb's openDB always uses the global indexedDB, and it would
  // wait for ever when blocked.
  const connection = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name, version)
    request.onupgradeneeded = event => {
      upgrade(request.result, request.transaction as IDBTransaction, event.oldVersion)
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB failed'))
    request.onblocked = () => {
      // A tab running older code holds the database open: give up now, and let go of the
      // connection if it opens later, so as not to block the next version in turn.
      request.onsuccess = () => request.result.close()
      reject(new Error('IndexedDB blocked'))
    }
  })
  // Another tab opens a newer version: let it rather than block it. Our later operations
  // reject, and the fallback store moves to memory.
  connection.onversionchange = () => connection.close()
  const db = wrap(connection) as unknown as IDBPDatabase<Schema>

  /**
   * Runs `work` in one readwrite transaction over chunks and meta with the running totals
   * read first; `work` changes them and the chunks, and the totals are written back.
   */
  const write = <T>(
    work: (write: WriteContext) => void,
    result: (totals: Totals) => T,
  ): Promise<T> => {
    let tx: IDBTransaction
    try {
      tx = connection.transaction(['chunks', 'meta'], 'readwrite')
    } catch (error) {
      // A closed connection throws here: callers get a rejection, as from any other failure.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    const chunks = tx.objectStore('chunks')
    const meta = tx.objectStore('meta')
    const totals: Totals = { count: 0, bytes: 0 }
    let failure: unknown
    // A request's callback that throws (a broken or patched IndexedDB) would surface as an
    // uncaught error in the host page: abort instead, and reject with what was thrown.
    const guard: Guard =
      fn =>
      (...args) => {
        try {
          fn(...args)
        } catch (error) {
          failure ??= error
          try {
            tx.abort()
          } catch {
            // Already finished: the rejection below still reports the failure.
          }
        }
      }
    const count = meta.get('count')
    const bytes = meta.get('bytes')
    bytes.onsuccess = guard(() => {
      totals.count = (count.result as number | undefined) ?? 0
      totals.bytes = (bytes.result as number | undefined) ?? 0
      work({
        chunks,
        totals,
        guard,
        done: () => {
          meta.put(totals.count, 'count')
          meta.put(totals.bytes, 'bytes')
        },
      })
    })
    return committed(tx, () => result(totals)).catch((error: unknown) => {
      throw failure instanceof Error ? failure : error
    })
  }

  /** Drops the oldest events until the totals are within the bounds; then calls `done`. */
  const trim = ({ chunks, totals, done, guard }: WriteContext) => {
    const over = () => totals.count > bounds.maxEvents || totals.bytes > bounds.maxBytes
    if (!over()) return done()
    const cursor = chunks.openCursor()
    cursor.onsuccess = guard(() => {
      const oldest = cursor.result
      if (!oldest) return done()
      const chunk = oldest.value as Chunk
      let cut = 0
      while (cut < chunk.events.length && over()) {
        const entry = chunk.events[cut++] as StoredEvent
        totals.count--
        totals.bytes -= entry.bytes
      }
      if (cut === chunk.events.length) oldest.delete()
      else oldest.update({ v: 2, ids: chunk.ids.slice(cut), events: chunk.events.slice(cut) })
      if (over()) oldest.continue()
      else done()
    })
  }

  return {
    kind: 'indexeddb',
    append(entries) {
      // Duplicates within the batch first; ids stored before (a spill merged twice) make the
      // one add fail, and then each id is looked up before a second try.
      const seen = new Set<string>()
      const fresh = entries.filter(({ event }) => !seen.has(event.id) && seen.add(event.id))
      let before = 0
      let added = 0
      return write(
        context => {
          const { chunks, totals, done, guard } = context
          before = totals.count
          const add = (events: StoredEvent[], onDuplicate: () => void) => {
            if (events.length === 0) return trim(context)
            const request = chunks.add({
              v: 2,
              ids: events.map(entry => entry.event.id),
              events: events.map(({ event, bytes }) => ({ event, bytes })),
            } satisfies Chunk)
            request.onsuccess = guard(() => {
              added = events.length
              totals.count += added
              for (const entry of events) totals.bytes += entry.bytes
              trim(context)
            })
            request.onerror = guard(error => {
              // A ConstraintError must fail this request alone, not the transaction.
              error.preventDefault()
              error.stopPropagation()
              onDuplicate()
            })
          }
          add(fresh, () => {
            const index = chunks.index('ids')
            const known = fresh.map(({ event }) => index.count(event.id))
            const last = known.at(-1)
            if (!last) return done()
            // Requests answer in order: when the last count is in, all are.
            last.onsuccess = guard(() => {
              add(
                fresh.filter((_, at) => (known[at] as IDBRequest<number>).result === 0),
                done,
              )
            })
          })
        },
        totals => ({ count: totals.count, dropped: before + added - totals.count }),
      )
    },
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
    remove(ids) {
      const wanted = new Set(ids)
      return write(
        ({ chunks, totals, done, guard }) => {
          if (wanted.size === 0) return done()
          // Acknowledged ids are nearly always the oldest: walk from the front and stop
          // once every id is found, one request per chunk rather than per event.
          const cursor = chunks.openCursor()
          cursor.onsuccess = guard(() => {
            const current = cursor.result
            if (!current) return done()
            const chunk = current.value as Chunk
            const kept = chunk.events.filter(({ event }) => !wanted.has(event.id))
            if (kept.length < chunk.events.length) {
              for (const entry of chunk.events) {
                if (!wanted.delete(entry.event.id)) continue
                totals.count--
                totals.bytes -= entry.bytes
              }
              if (kept.length === 0) current.delete()
              else current.update({ v: 2, ids: kept.map(entry => entry.event.id), events: kept })
            }
            if (wanted.size > 0) current.continue()
            else done()
          })
        },
        totals => totals.count,
      )
    },
    count: async () => (await db.get('meta', 'count')) ?? 0,
    clear() {
      let removed = 0
      return write(
        ({ chunks, totals, done }) => {
          removed = totals.count
          chunks.clear()
          totals.count = 0
          totals.bytes = 0
          done()
        },
        () => removed,
      )
    },
    async close() {
      db.close()
    },
    ...indexedDbLease(connection),
  }
}
