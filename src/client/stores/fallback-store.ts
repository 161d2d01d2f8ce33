import type { EventStore } from './event-store.js'

/**
 * An EventStore that uses `primary` once it opens and moves to `fallback` for good when
 * opening or any later operation fails (QuotaExceededError, a closed connection, …), calling
 * `onFallback(error)` once. Operations issued while primary is opening wait for it. An
 * append that fails on primary is retried on fallback so no event is lost; `kind` reports
 * the store in use (the fallback's while primary is opening). Never rejects because of the
 * primary.
 *
 * Events the primary had already persisted when it failed are not moved: they stay there
 * for the next page load, which sends them (the backend dedupes by id should some of them
 * have been sent already).
 */
export function createFallbackStore(
  primary: Promise<EventStore>,
  fallback: EventStore,
  onFallback: (error: unknown) => void,
): EventStore {
  let current: EventStore | undefined

  const fail = (error: unknown): EventStore => {
    if (current !== fallback) {
      const failed = current
      current = fallback
      try {
        // Let go of a primary that failed mid-way: an open IndexedDB connection would block
        // another tab's upgrade.
        failed?.close().catch(() => {})
        onFallback(error)
      } catch {
        // A throwing close or handler changes nothing: the fallback is in place.
      }
    }
    return fallback
  }

  const ready = primary.then(store => (current = store), fail)

  const run = async <T>(operation: (store: EventStore) => Promise<T>): Promise<T> => {
    const store = current ?? (await ready)
    if (store === fallback) return operation(fallback)
    try {
      return await operation(store)
    } catch (error) {
      return operation(fail(error))
    }
  }

  return {
    get kind() {
      return (current ?? fallback).kind
    },
    append: events => run(store => store.append(events)),
    peek: (maxEvents, maxBytes) => run(store => store.peek(maxEvents, maxBytes)),
    remove: ids => run(store => store.remove(ids)),
    count: () => run(store => store.count()),
    clear: () => run(store => store.clear()),
    close: () => run(store => store.close()),
  }
}
