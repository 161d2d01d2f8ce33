import type { EventStore } from './event-store.js'

/**
 * An EventStore that uses `primary` once it opens and moves to a memory store for good when
 * opening or any later operation fails (QuotaExceededError, a closed connection, …), calling
 * `onFallback(error)` once. Operations issued while primary is opening wait for it. An
 * append that fails on primary is retried on the memory store so no event is lost; `kind`
 * reports the store in use (`memory` while primary is opening). Never rejects because of the
 * primary.
 *
 * `memory` gives the memory store when first needed: in the browser build it comes with the
 * sender's chunk, since a page whose IndexedDB works never needs it. Should that fetch fail,
 * the operation rejects and the queue keeps its events in memory until a later write.
 *
 * Events the primary had already persisted when it failed are not moved: they stay there
 * for the next page load, which sends them (the backend dedupes by id should some of them
 * have been sent already).
 */
export function createFallbackStore(
  primary: Promise<EventStore>,
  memory: () => Promise<EventStore>,
  onFallback: (error: unknown) => void,
): EventStore {
  /** The primary once it opened, until it fails. */
  let current: EventStore | undefined
  let failed = false

  const fail = (error: unknown) => {
    if (failed) return
    failed = true
    const gone = current
    current = undefined
    try {
      // Let go of a primary that failed mid-way: an open IndexedDB connection would block
      // another tab's upgrade.
      gone?.close().catch(() => {})
      onFallback(error)
    } catch {
      // A throwing close or handler changes nothing: the fallback is in place.
    }
  }

  const ready = primary.then(store => {
    current = store
  }, fail)

  const run = async <T>(operation: (store: EventStore) => Promise<T>): Promise<T> => {
    if (!current && !failed) await ready
    const store = current
    if (store) {
      try {
        return await operation(store)
      } catch (error) {
        fail(error)
      }
    }
    return operation(await memory())
  }

  return {
    get kind() {
      return current?.kind ?? 'memory'
    },
    append: events => run(store => store.append(events)),
    peek: (maxEvents, maxBytes) => run(store => store.peek(maxEvents, maxBytes)),
    remove: ids => run(store => store.remove(ids)),
    count: () => run(store => store.count()),
    clear: () => run(store => store.clear()),
    close: () => run(store => store.close()),
  }
}
