import { fromSendingChunk } from '../sending-chunk.js'
import type { EventStore, StoreBounds, StoredEvent } from './event-store.js'
import type { IndexedDbLease } from './indexeddb-lease.js'
import { createQueue, queueVersion, type Chunk, type Totals } from './indexeddb-schema.js'
import type { upgradeQueue } from './indexeddb-upgrade.js'

export interface IndexedDbStoreOptions {
  bounds: StoreBounds
  /** @default 'tally-telemetry' */
  name?: string
  /** For tests and other realms. @default globalThis.indexedDB */
  indexedDB?: IDBFactory
  /**
   * Some Safari versions leave `indexedDB.open` pending forever: past this the open is given
   * up, and the client queues in memory rather than hold every event back. @default 5000
   */
  openTimeoutMs?: number
}

/** The browser's durable queue, shared by every tab of an origin, with the senders' lease. */
export interface IndexedDbStore extends EventStore, IndexedDbLease {
  readonly kind: 'indexeddb'
}

export type Guard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void

export interface WriteContext {
  chunks: IDBObjectStore
  /** The stored totals, read first: valid in the callback of any request made after. */
  totals: Totals
  /** Writes the totals back and commits. */
  done: () => void
  guard: Guard
}

/**
 * One readwrite transaction over chunks and meta, resolving with `result(totals)` once it
 * commits; see the store's `write`.
 */
export type Write = <T>(
  work: (write: WriteContext) => void,
  result: (totals: Totals) => T,
  early?: (chunks: IDBObjectStore) => void,
) => Promise<T>

/** Resolves when the transaction commits, rejects when it fails or aborts. */
function committed<T>(tx: IDBTransaction, result: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(result())
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB failed'))
  })
}

/**
 * Walks the chunks oldest first, one request per chunk: `visit` returns the events a chunk
 * keeps (it is deleted when none, rewritten when fewer) and whether to go on; `done` runs at
 * the end of the walk or where it stops.
 */
export function walkChunks(
  chunks: IDBObjectStore,
  guard: Guard,
  visit: (events: StoredEvent[]) => [kept: StoredEvent[], more: boolean],
  done: () => void,
): void {
  const cursor = chunks.openCursor()
  cursor.onsuccess = guard(() => {
    const current = cursor.result
    if (!current) return done()
    const { events } = current.value as Chunk
    const [kept, more] = visit(events)
    if (kept.length === 0) current.delete()
    else if (kept.length < events.length) current.update({ v: 3, events: kept } satisfies Chunk)
    if (more) current.continue()
    else done()
  })
}

/**
 * Estimated bytes a chunk holds at most. Chromium moves a value past 64 KiB serialized into a
 * blob of its own, several times slower to write and read; the estimate counts UTF-8, and a
 * clone may take two bytes a character.
 */
const maxChunkBytes = 24 * 1024

/** Adds `events` as chunks within `maxChunkBytes`, each with one event at least. */
function addChunks(chunks: IDBObjectStore, events: readonly StoredEvent[]): void {
  let start = 0
  let bytes = 0
  for (let end = 0; end < events.length; end++) {
    const size = (events[end] as StoredEvent).bytes
    if (end > start && bytes + size > maxChunkBytes) {
      chunks.add({ v: 3, events: events.slice(start, end) } satisfies Chunk)
      start = end
      bytes = 0
    }
    bytes += size
  }
  if (start < events.length) chunks.add({ v: 3, events: events.slice(start) } satisfies Chunk)
}

/** Rejects (never throws synchronously) when IndexedDB is missing, blocked, or fails to open. */
export async function openIndexedDbStore({
  bounds,
  name = 'tally-telemetry',
  indexedDB: factory = globalThis.indexedDB,
  openTimeoutMs = 5_000,
}: IndexedDbStoreOptions): Promise<IndexedDbStore> {
  // Every event this page records is stamped after this: one stamped before came from an
  // earlier page (a spill), and only such an event can already be stored.
  let openedAt = Date.now()
  let outdated = false
  // Opened by hand: idb's openDB always uses the global indexedDB, and it would wait for ever
  // when blocked.
  const open = (upgrade?: typeof upgradeQueue) =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(name, queueVersion)
      /**
       * Gives up on the open: a tab running older code holds the database (blocked), or the
       * browser never answers. The connection, should it open later, is let go of, so as not
       * to block the next version in turn.
       */
      const giveUp = (reason: string) => {
        clearTimeout(timer)
        request.onsuccess = () => request.result.close()
        reject(new Error(reason))
      }
      const timer = setTimeout(
        giveUp,
        openTimeoutMs,
        `IndexedDB did not open in ${openTimeoutMs} ms`,
      )
      request.onupgradeneeded = ({ oldVersion }) => {
        const transaction = request.transaction as IDBTransaction
        if (oldVersion === 0) createQueue(request.result)
        else if (upgrade) upgrade(request.result, transaction, oldVersion)
        else {
          // An older Tally's queue, whose migration comes with the sender's chunk: leave the
          // database as it was, and open it again once the chunk is here.
          outdated = true
          transaction.abort()
        }
      }
      request.onsuccess = () => {
        clearTimeout(timer)
        resolve(request.result)
      }
      request.onerror = () => {
        clearTimeout(timer)
        reject(request.error ?? new Error('IndexedDB failed'))
      }
      request.onblocked = () => giveUp('IndexedDB blocked')
    })
  const connection = await open().catch(async (error: unknown) => {
    if (!outdated) throw error
    return open((await import('../sending.js')).upgradeQueue)
  })
  // Another tab opens a newer version: let it rather than block it. Our later operations
  // reject, and the fallback store moves to memory.
  connection.onversionchange = () => connection.close()

  /**
   * One readwrite transaction over chunks and meta. Its requests are sent without waiting
   * for one another, each wait being a round trip to the browser process: the totals are
   * read, then `early` may queue requests that need no totals (an append's adds), and
   * `work` runs once the totals are in, changes them and the chunks, and calls `done`.
   */
  const write: Write = (work, result, early) => {
    let tx: IDBTransaction
    try {
      // Relaxed: the commit reaches the operating system before `complete`, so a crashed tab
      // or browser keeps it; only a crash of the whole machine in the next moments could lose
      // it, and telemetry is not worth an fsync per append.
      tx = connection.transaction(['chunks', 'meta'], 'readwrite', { durability: 'relaxed' })
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
    const done = () => {
      meta.put(totals, 'totals')
      // Committing now rather than when the puts answer saves a round trip; browsers
      // without commit() (Safari before 15) commit once the puts are done.
      if (typeof tx.commit === 'function') tx.commit()
    }
    const stored = meta.get('totals')
    early?.(chunks)
    stored.onsuccess = guard(() => {
      const read = stored.result as Totals | undefined
      totals.count = read?.count ?? 0
      totals.bytes = read?.bytes ?? 0
      work({ chunks, totals, guard, done })
    })
    return committed(tx, () => result(totals)).catch((error: unknown) => {
      throw failure instanceof Error ? failure : error
    })
  }

  /** Drops the oldest events until the totals are within the bounds; then calls `done`. */
  const trim = ({ chunks, totals, done, guard }: WriteContext) => {
    const over = () => totals.count > bounds.maxEvents || totals.bytes > bounds.maxBytes
    if (!over()) return done()
    walkChunks(
      chunks,
      guard,
      events => {
        let cut = 0
        while (cut < events.length && over()) {
          const entry = events[cut++] as StoredEvent
          totals.count--
          totals.bytes -= entry.bytes
        }
        return [events.slice(cut), over()]
      },
      done,
    )
  }

  // Only a sender reads the queue, and the sender's chunk is here before it does.
  const read = fromSendingChunk(chunk =>
    chunk.indexedDbReadSide({ connection, write, walk: walkChunks }),
  )

  /** Appends `entries`, known not to be stored, in one transaction with the trim. */
  const add = (entries: readonly StoredEvent[]) => {
    let before = 0
    return write(
      context => {
        before = context.totals.count
        context.totals.count += entries.length
        for (const entry of entries) context.totals.bytes += entry.bytes
        trim(context)
      },
      totals => ({ count: totals.count, dropped: before + entries.length - totals.count }),
      // The adds go out with the totals' read, without waiting for it.
      chunks => addChunks(chunks, entries),
    )
  }

  return {
    kind: 'indexeddb',
    append(entries) {
      // An id can be stored already only if it came from an earlier page, or from a clock
      // since set back: the rest need no lookup, and the add goes out with the totals' read.
      const now = Date.now()
      const seen = new Set<string>()
      const doubtful = new Set<string>()
      const fresh = entries.filter(({ event: { id, timestamp } }) => {
        if (seen.has(id)) return false
        seen.add(id)
        const at = timestamp.getTime()
        if (!(at >= openedAt && at <= now)) doubtful.add(id)
        return true
      })
      // The clock went back past the opening: this append looks its events up, and the next
      // ones, recorded on the new clock, need not.
      if (now < openedAt) openedAt = now
      if (doubtful.size === 0) return add(fresh)
      // The lookup reads the queue, which the sender's chunk does. Should the chunk not come,
      // the events are added all the same: a second copy costs a send, and the backend
      // stores each id once.
      return read()
        .then(side => side.stored(doubtful))
        .catch(() => new Set<string>())
        .then(stored => add(fresh.filter(({ event }) => !stored.has(event.id))))
    },
    // The totals' read that every write starts with, and nothing written: asked once, at start.
    count: () =>
      write(
        () => {},
        totals => totals.count,
      ),
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
      connection.close()
    },
    peek: (...args) => read().then(side => side.peek(...args)),
    remove: ids => read().then(side => side.remove(ids)),
    claim: (...args) => read().then(side => side.claim(...args)),
    release: owner => read().then(side => side.release(owner)),
  }
}
