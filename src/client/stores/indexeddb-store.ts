import { wrap, type DBSchema, type IDBPDatabase } from 'idb'
import type { TelemetryEvent } from '../../protocol/event.js'
import type { AppendResult, EventStore, StoreBounds, StoredEvent } from './event-store.js'

export interface IndexedDbStoreOptions {
  bounds: StoreBounds
  /** @default 'tally-telemetry' */
  name?: string
  /** For tests and other realms. @default globalThis.indexedDB */
  indexedDB?: IDBFactory
}

/** The browser's durable queue, shared by every tab of an origin. */
export interface IndexedDbStore extends EventStore {
  readonly kind: 'indexeddb'
  /**
   * Leased claim for the single sender across tabs where Web Locks are missing: true if
   * `owner` now holds the claim (free, expired, or already its own — renewing it for
   * `leaseMs`). Atomic in one readwrite transaction.
   */
  claim(owner: string, leaseMs: number, now: number): Promise<boolean>
  /** Gives the claim up if `owner` holds it. */
  release(owner: string): Promise<void>
}

/**
 * The stored format, version 1 (a fixture in test/client/stores/fixtures/indexeddb-v1.ts
 * pins it; a new version migrates it in `upgrade`):
 * - object store `events`: out-of-line autoIncrement keys, which order the queue across
 *   tabs; values `{ v: 1, event, bytes }`, `event` a structured clone of the TelemetryEvent
 *   (its Date survives) and `bytes` its estimated size; a unique index `id` on `event.id`,
 *   so that an id is stored once.
 * - object store `meta`, out-of-line keys: `bytes` → the sum of `bytes` over `events`, kept
 *   in the transactions that change `events`; `claim` → `{ owner, expires }` (epoch ms).
 */
interface EventRecord {
  v: 1
  event: TelemetryEvent
  bytes: number
}

interface Claim {
  owner: string
  expires: number
}

interface Schema extends DBSchema {
  events: { key: number; value: EventRecord; indexes: { id: string } }
  meta: { key: 'bytes' | 'claim'; value: number | Claim }
}

const version = 1

function upgrade(db: IDBDatabase, oldVersion: number): void {
  switch (oldVersion) {
    case 0:
      db.createObjectStore('events', { autoIncrement: true }).createIndex('id', 'event.id', {
        unique: true,
      })
      db.createObjectStore('meta')
    // Version 2 adds `case 1:` here, migrating version 1's records; the cases fall through.
  }
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
    request.onupgradeneeded = event => upgrade(request.result, event.oldVersion)
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

  const readBytes = async (meta: { get(key: 'bytes'): Promise<unknown> }) =>
    ((await meta.get('bytes')) as number | undefined) ?? 0
  const readClaim = async (meta: { get(key: 'claim'): Promise<unknown> }) =>
    (await meta.get('claim')) as Claim | undefined
  const writeEvents = () => {
    const tx = db.transaction(['events', 'meta'], 'readwrite')
    return { tx, events: tx.objectStore('events'), meta: tx.objectStore('meta') }
  }

  return {
    kind: 'indexeddb',
    append(entries) {
      // Raw requests, not idb's promises: an `add` of an id already stored (a spill merged
      // twice) must fail alone, which takes preventDefault() on its error event; and one
      // request per event, not two, is what makes a busy page's writes cheap.
      return new Promise<AppendResult>((resolve, reject) => {
        const tx = connection.transaction(['events', 'meta'], 'readwrite')
        const events = tx.objectStore('events')
        const meta = tx.objectStore('meta')
        let addedBytes = 0
        for (const { event, bytes } of entries) {
          const request = events.add({ v: 1, event, bytes } satisfies EventRecord)
          request.onsuccess = () => {
            addedBytes += bytes
          }
          request.onerror = error => {
            error.preventDefault()
            error.stopPropagation()
          }
        }
        // Requests run in order: these answer after every add above.
        const storedBytes = meta.get('bytes')
        const counted = events.count()
        let result: AppendResult = { count: 0, dropped: 0 }
        counted.onsuccess = () => {
          let count = counted.result
          let bytes = ((storedBytes.result as number | undefined) ?? 0) + addedBytes
          const before = count
          const finish = () => {
            meta.put(bytes, 'bytes')
            result = { count, dropped: before - count }
          }
          if (count <= bounds.maxEvents && bytes <= bounds.maxBytes) return finish()
          const cursor = events.openCursor()
          cursor.onsuccess = () => {
            const oldest = cursor.result
            if (!oldest || (count <= bounds.maxEvents && bytes <= bounds.maxBytes)) return finish()
            bytes -= (oldest.value as EventRecord).bytes
            count--
            oldest.delete()
            oldest.continue()
          }
        }
        tx.oncomplete = () => resolve(result)
        tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write failed'))
      })
    },
    async peek(maxEvents, maxBytes) {
      const batch: StoredEvent[] = []
      let total = 0
      const store = db.transaction('events').store
      for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) {
        const { event, bytes } = cursor.value
        if (batch.length > 0 && total + bytes > maxBytes) break
        batch.push({ event, bytes })
        total += bytes
        if (batch.length >= maxEvents) break
      }
      return batch
    },
    async remove(ids) {
      const { tx, events, meta } = writeEvents()
      let freed = 0
      await Promise.all(
        [...new Set(ids)].map(async id => {
          const cursor = await events.index('id').openCursor(id)
          if (!cursor) return
          freed += cursor.value.bytes
          await cursor.delete()
        }),
      )
      const [stored, count] = await Promise.all([readBytes(meta), events.count()])
      await Promise.all([meta.put(stored - freed, 'bytes'), tx.done])
      return count
    },
    count: () => db.count('events'),
    async clear() {
      const { tx, events, meta } = writeEvents()
      const [count] = await Promise.all([
        events.count(),
        events.clear(),
        meta.put(0, 'bytes'),
        tx.done,
      ])
      return count
    },
    async close() {
      db.close()
    },
    async claim(owner, leaseMs, now) {
      const tx = db.transaction('meta', 'readwrite')
      const held = await readClaim(tx.store)
      const free = !held || held.owner === owner || held.expires <= now
      if (free) await tx.store.put({ owner, expires: now + leaseMs }, 'claim')
      await tx.done
      return free
    },
    async release(owner) {
      const tx = db.transaction('meta', 'readwrite')
      if ((await readClaim(tx.store))?.owner === owner) await tx.store.delete('claim')
      await tx.done
    },
  }
}
