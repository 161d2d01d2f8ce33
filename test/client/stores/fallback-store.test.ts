import { IDBFactory, installIndexedDbClasses } from './fake-indexeddb.js'
import { describe, expect, it, vi } from 'vitest'
import type { EventStore, StoredEvent } from '../../../src/client/stores/event-store.js'
import { createFallbackStore } from '../../../src/client/stores/fallback-store.js'
import { openIndexedDbStore } from '../../../src/client/stores/indexeddb-store.js'
import { queueVersion } from '../../../src/client/stores/indexeddb-schema.js'
import { createMemoryStore } from '../../../src/client/stores/memory-store.js'
import { storedEvent } from '../../support/events.js'

installIndexedDbClasses()

const bounds = { maxEvents: 100, maxBytes: 100_000 }

const entry = (id: string): StoredEvent => storedEvent(id)

/** The memory store as the fallback store asks for it: loaded when first needed. */
const loaded = (store: EventStore) => vi.fn(() => Promise.resolve(store))

const ids = (stored: readonly StoredEvent[]) => stored.map(stored => stored.event.id)

/** A durable-looking store over memory whose operations can be made to fail. */
function flakyStore() {
  const inner = createMemoryStore(bounds)
  const failing = new Set<keyof EventStore>()
  const calls: string[] = []
  const guard = async <R>(name: keyof EventStore, operation: () => Promise<R>): Promise<R> => {
    calls.push(name)
    if (failing.has(name)) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
    return operation()
  }
  const store: EventStore = {
    kind: 'indexeddb',
    append: events => guard('append', () => inner.append(events)),
    peek: (maxEvents, maxBytes) => guard('peek', () => inner.peek(maxEvents, maxBytes)),
    remove: ids => guard('remove', () => inner.remove(ids)),
    count: () => guard('count', () => inner.count()),
    clear: () => guard('clear', () => inner.clear()),
    close: () => guard('close', () => inner.close()),
  }
  return { store, inner, failing, calls }
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  let reject: (reason: unknown) => void = () => {}
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve
    reject = onReject
  })
  return { promise, resolve, reject }
}

describe('a fallback store', () => {
  it('uses the fallback when the primary fails to open, and says so once', async () => {
    const cause = new Error('IndexedDB blocked')
    const onFallback = vi.fn()
    const store = createFallbackStore(
      Promise.reject(cause),
      loaded(createMemoryStore(bounds)),
      onFallback,
    )

    expect(await store.append([entry('a'), entry('b')])).toEqual({ count: 2, dropped: 0 })
    expect(ids(await store.peek(10, 10_000))).toEqual(['a', 'b'])
    expect(await store.remove(['a'])).toBe(1)
    expect(await store.count()).toBe(1)
    expect(store.kind).toBe('memory')
    expect(onFallback).toHaveBeenCalledTimes(1)
    expect(onFallback).toHaveBeenCalledWith(cause)
  })

  it('uses the primary once it opens', async () => {
    const primary = flakyStore()
    const fallback = createMemoryStore(bounds)
    const onFallback = vi.fn()
    const store = createFallbackStore(Promise.resolve(primary.store), loaded(fallback), onFallback)

    await store.append([entry('a')])
    expect(store.kind).toBe('indexeddb')
    expect(await primary.inner.count()).toBe(1)
    expect(await fallback.count()).toBe(0)
    expect(onFallback).not.toHaveBeenCalled()
  })

  it('makes operations issued while the primary opens wait for it', async () => {
    const primary = flakyStore()
    const opening = deferred<EventStore>()
    const fallback = createMemoryStore(bounds)
    const store = createFallbackStore(opening.promise, loaded(fallback), vi.fn())

    const appended = store.append([entry('a'), entry('b')])
    const counted = store.count()
    let settled = false
    void appended.then(() => (settled = true))
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(settled).toBe(false)
    expect(store.kind).toBe('memory')

    opening.resolve(primary.store)
    expect(await appended).toEqual({ count: 2, dropped: 0 })
    expect(await counted).toBe(2)
    expect(store.kind).toBe('indexeddb')
    expect(ids(await primary.inner.peek(10, 10_000))).toEqual(['a', 'b'])
    expect(await fallback.count()).toBe(0)
  })

  it('makes operations issued while the primary opens wait for its failure, then use the fallback', async () => {
    const opening = deferred<EventStore>()
    const onFallback = vi.fn()
    const store = createFallbackStore(
      opening.promise,
      loaded(createMemoryStore(bounds)),
      onFallback,
    )
    const appended = store.append([entry('a')])
    opening.reject(new Error('no IndexedDB'))
    expect(await appended).toEqual({ count: 1, dropped: 0 })
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('moves an append that fails on the primary to the fallback, losing nothing', async () => {
    const primary = flakyStore()
    const fallback = createMemoryStore(bounds)
    const onFallback = vi.fn()
    const store = createFallbackStore(Promise.resolve(primary.store), loaded(fallback), onFallback)
    await store.append([entry('a')])

    primary.failing.add('append')
    expect(await store.append([entry('b'), entry('c')])).toEqual({ count: 2, dropped: 0 })
    expect(ids(await fallback.peek(10, 10_000))).toEqual(['b', 'c'])
    expect(store.kind).toBe('memory')
    expect(onFallback).toHaveBeenCalledTimes(1)
    const [error] = onFallback.mock.calls[0] as [unknown]
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('QuotaExceededError')

    // For good: the primary was let go, and later operations go to the fallback.
    expect(primary.calls).toEqual(['append', 'append', 'close'])
    await store.append([entry('d')])
    expect(ids(await store.peek(10, 10_000))).toEqual(['b', 'c', 'd'])
    expect(await store.remove(['b'])).toBe(2)
    expect(primary.calls).toEqual(['append', 'append', 'close'])
    // What the primary had persisted stays there, for the next page load.
    expect(ids(await primary.inner.peek(10, 10_000))).toEqual(['a'])
  })

  it('moves to the fallback when any operation fails, not only appends', async () => {
    const primary = flakyStore()
    const fallback = createMemoryStore(bounds)
    const onFallback = vi.fn()
    const store = createFallbackStore(Promise.resolve(primary.store), loaded(fallback), onFallback)
    primary.failing.add('peek')
    expect(await store.peek(10, 10_000)).toEqual([])
    expect(store.kind).toBe('memory')
    await store.append([entry('a')])
    expect(await fallback.count()).toBe(1)
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('calls onFallback once when operations in flight fail together', async () => {
    const primary = flakyStore()
    const fallback = createMemoryStore(bounds)
    const onFallback = vi.fn()
    const store = createFallbackStore(Promise.resolve(primary.store), loaded(fallback), onFallback)
    await store.count()
    primary.failing.add('append')
    const results = await Promise.all([
      store.append([entry('a')]),
      store.append([entry('b')]),
      store.append([entry('c')]),
    ])
    expect(results.map(result => result.count)).toEqual([1, 2, 3])
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('never rejects because of the primary, even when onFallback throws', async () => {
    const primary = flakyStore()
    for (const name of ['append', 'peek', 'remove', 'count', 'clear', 'close'] as const) {
      primary.failing.add(name)
    }
    const store = createFallbackStore(
      Promise.resolve(primary.store),
      loaded(createMemoryStore(bounds)),
      () => {
        throw new Error('a broken handler')
      },
    )
    await expect(store.append([entry('a')])).resolves.toEqual({ count: 1, dropped: 0 })
    await expect(store.clear()).resolves.toBe(1)
    await expect(store.close()).resolves.toBeUndefined()
  })

  it('asks for the memory store only once the primary fails', async () => {
    const primary = flakyStore()
    const memory = loaded(createMemoryStore(bounds))
    const store = createFallbackStore(Promise.resolve(primary.store), memory, vi.fn())
    await store.append([entry('a')])
    expect(await store.count()).toBe(1)
    expect(memory).not.toHaveBeenCalled()

    primary.failing.add('append')
    await store.append([entry('b')])
    expect(memory).toHaveBeenCalled()
    expect(store.kind).toBe('memory')
  })

  it('rejects while the memory store cannot be had (its chunk failed to load), then uses it', async () => {
    const fallback = createMemoryStore(bounds)
    const memory = vi
      .fn<() => Promise<EventStore>>()
      .mockRejectedValueOnce(new Error('chunk failed to load'))
      .mockResolvedValue(fallback)
    const onFallback = vi.fn()
    const store = createFallbackStore(Promise.reject(new Error('no IndexedDB')), memory, onFallback)
    // The queue keeps a batch whose append rejects in memory and writes it again later.
    await expect(store.append([entry('a')])).rejects.toThrow('chunk failed to load')
    expect(await store.append([entry('a')])).toEqual({ count: 1, dropped: 0 })
    expect(ids(await fallback.peek(10, 10_000))).toEqual(['a'])
    expect(onFallback).toHaveBeenCalledTimes(1)
  })

  it('moves to memory when IndexedDB closes under it, keeping its events for the next load', async () => {
    const factory = new IDBFactory()
    const onFallback = vi.fn()
    const store = createFallbackStore(
      openIndexedDbStore({ bounds, indexedDB: factory }),
      loaded(createMemoryStore(bounds)),
      onFallback,
    )
    await store.append([entry('a'), entry('b')])
    expect(store.kind).toBe('indexeddb')

    // Another tab upgrades the database: our connection closes so as not to block it.
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('tally-telemetry', queueVersion + 1)
      request.onblocked = () => reject(new Error('blocked'))
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
    })

    expect(await store.append([entry('c')])).toEqual({ count: 1, dropped: 0 })
    expect(store.kind).toBe('memory')
    expect(onFallback).toHaveBeenCalledTimes(1)
    expect(ids(await store.peek(10, 10_000))).toEqual(['c'])

    // The next page load, with the code that upgraded (its format is the current one here),
    // finds them.
    const next = await new Promise<string[]>((resolve, reject) => {
      const request = factory.open('tally-telemetry', queueVersion + 1)
      request.onsuccess = () => {
        const db = request.result
        const all = db.transaction('chunks').objectStore('chunks').getAll()
        all.onsuccess = () => {
          db.close()
          resolve((all.result as { events: StoredEvent[] }[]).flatMap(chunk => ids(chunk.events)))
        }
      }
      request.onerror = () => reject(new Error('open failed'))
    })
    expect(next).toEqual(['a', 'b'])
  })
})
