import fc from 'fast-check'
import { IDBFactory, installIndexedDbClasses } from './fake-indexeddb.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StoreBounds, StoredEvent } from '../../../src/client/stores/event-store.js'
import {
  openIndexedDbStore,
  type IndexedDbStore,
} from '../../../src/client/stores/indexeddb-store.js'
import { queueVersion } from '../../../src/client/stores/indexeddb-schema.js'
import { createMemoryStore } from '../../../src/client/stores/memory-store.js'
import { indexedDbV1 } from './fixtures/indexeddb-v1.js'
import { indexedDbV2 } from './fixtures/indexeddb-v2.js'
import { indexedDbV3, writeIndexedDbV3 } from './fixtures/indexeddb-v3.js'
import { indexedDbV4 } from './fixtures/indexeddb-v4.js'
import { storedEvent } from '../../support/events.js'

installIndexedDbClasses()

const bounds: StoreBounds = { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024 }

// Milliseconds and nested privateMetadata: what the stored format must carry back intact.
const entry = (id: string, bytes = 100): StoredEvent =>
  storedEvent(id, bytes, {
    timestamp: new Date('2026-11-27T12:00:00.123Z'),
    parameters: { version: 1, metadata: { regex: 1 }, privateMetadata: { q: ['a', { b: null }] } },
  })

const entries = (prefix: string, count: number, bytes = 100) =>
  Array.from({ length: count }, (_, index) => entry(`${prefix}-${index}`, bytes))

const ids = (stored: readonly StoredEvent[]) => stored.map(stored => stored.event.id)

const opened: IndexedDbStore[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map(store => store.close()))
})

/** Opens a store, a tab, on `factory`: tabs of one origin share it. */
async function open(
  factory: IDBFactory,
  storeBounds: StoreBounds = bounds,
  name?: string,
): Promise<IndexedDbStore> {
  const store = await openIndexedDbStore({
    bounds: storeBounds,
    indexedDB: factory,
    ...(name === undefined ? {} : { name }),
  })
  opened.push(store)
  return store
}

const all = (store: IndexedDbStore) => store.peek(Infinity, Infinity)

describe('the queue', () => {
  it('keeps events oldest first, intact, with their Date', async () => {
    const store = await open(new IDBFactory())
    expect(store.kind).toBe('indexeddb')
    expect(await store.append(entries('a', 3))).toEqual({ count: 3, dropped: 0 })
    expect(await store.append([entry('b')])).toEqual({ count: 4, dropped: 0 })

    const queued = await all(store)
    expect(ids(queued)).toEqual(['a-0', 'a-1', 'a-2', 'b'])
    expect(queued[0]).toEqual(entry('a-0'))
    expect(queued[0]?.event.timestamp).toBeInstanceOf(Date)
    expect(await store.count()).toBe(4)
  })

  it('appends a whole batch of this page in one readwrite transaction', async () => {
    const store = await open(new IDBFactory())
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    try {
      // Stamped after the store opened: none can be stored already.
      await store.append(
        entries('a', 500).map(({ event, bytes }) => ({
          event: { ...event, timestamp: new Date() },
          bytes,
        })),
      )
      expect(transaction).toHaveBeenCalledTimes(1)
      expect(transaction.mock.calls[0]?.[1]).toBe('readwrite')
      // Atomic all the same; only an fsync per append is spared.
      expect(transaction.mock.calls[0]?.[2]).toEqual({ durability: 'relaxed' })
    } finally {
      transaction.mockRestore()
    }
    expect(await store.count()).toBe(500)
  })

  it("looks an earlier page's events up first, and adds those not stored in one readwrite transaction", async () => {
    const store = await open(new IDBFactory())
    await store.append(entries('a', 3))
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    try {
      expect(await store.append([...entries('a', 3), entry('b')])).toEqual({ count: 4, dropped: 0 })
      expect(transaction.mock.calls.map(call => call[1] ?? 'readonly')).toEqual([
        'readonly',
        'readwrite',
      ])
    } finally {
      transaction.mockRestore()
    }
    expect(ids(await all(store))).toEqual([...ids(entries('a', 3)), 'b'])
  })

  it('writes a large append as several records, in order, each under the blob threshold', async () => {
    const factory = new IDBFactory()
    const store = await open(factory, { maxEvents: 1_000, maxBytes: 10_000_000 })
    await store.append(entries('a', 50, 4_000))
    await store.append([entry('b', 100_000)])
    expect(ids(await all(store))).toEqual([...ids(entries('a', 50)), 'b'])

    const sizes = await new Promise<number[]>((resolve, reject) => {
      const request = factory.open('tally-telemetry')
      request.onsuccess = () => {
        const read = request.result.transaction('chunks').objectStore('chunks').getAll()
        read.onsuccess = () => {
          request.result.close()
          resolve(
            (read.result as { events: StoredEvent[] }[]).map(chunk =>
              chunk.events.reduce((sum, { bytes }) => sum + bytes, 0),
            ),
          )
        }
      }
      request.onerror = () => reject(new Error('reading the chunks failed'))
    })
    // Chromium moves a value past 64 KiB into a blob; an event past the bound goes alone.
    expect(sizes.length).toBeGreaterThan(2)
    expect(sizes.slice(0, -1).every(size => size <= 32 * 1024)).toBe(true)
    expect(sizes.at(-1)).toBe(100_000)
  })

  it('peeks up to maxEvents and maxBytes, but always one event', async () => {
    const store = await open(new IDBFactory())
    await store.append([entry('a', 100), entry('b', 200), entry('c', 300), entry('d', 50)])
    expect(ids(await store.peek(2, Infinity))).toEqual(['a', 'b'])
    expect(ids(await store.peek(10, 300))).toEqual(['a', 'b'])
    expect(ids(await store.peek(10, 299))).toEqual(['a'])
    expect(ids(await store.peek(10, 10))).toEqual(['a'])
    expect(await store.peek(10, 10)).toHaveLength(1)
    expect(await store.count()).toBe(4)
  })

  it('peeks nothing from an empty queue', async () => {
    const store = await open(new IDBFactory())
    expect(await store.peek(100, 1000)).toEqual([])
    expect(await store.count()).toBe(0)
  })

  it('removes ids anywhere in the queue, ignoring unknown ones, and returns the count left', async () => {
    const store = await open(new IDBFactory())
    await store.append(entries('a', 5))
    expect(await store.remove(['a-0', 'a-3', 'a-3', 'nope'])).toBe(3)
    expect(ids(await all(store))).toEqual(['a-1', 'a-2', 'a-4'])
    expect(await store.remove([])).toBe(3)
  })

  it('clears everything and says how many events went', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 500 })
    await store.append(entries('a', 5))
    expect(await store.clear()).toBe(5)
    expect(await store.count()).toBe(0)
    // The byte total went with them: five more fit again.
    expect(await store.append(entries('b', 5))).toEqual({ count: 5, dropped: 0 })
  })

  it('looks no id up for events recorded since it opened: they cannot be stored yet', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 100_000 })
    const recorded = (id: string) => storedEvent(id, 100, { timestamp: new Date() })
    await store.append([recorded('a'), recorded('b')])
    const cursors = vi.spyOn(IDBObjectStore.prototype, 'openCursor')
    try {
      expect(await store.append([recorded('c'), recorded('d'), recorded('c')])).toEqual({
        count: 4,
        dropped: 0,
      })
      expect(cursors).not.toHaveBeenCalled()
    } finally {
      cursors.mockRestore()
    }
    expect(ids(await all(store))).toEqual(['a', 'b', 'c', 'd'])
  })

  it('stores once an event stamped after the append, as when the clock was set back', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 100_000 })
    const later = storedEvent('later', 100, { timestamp: new Date(Date.now() + 3_600_000) })
    await store.append([later])
    expect(await store.append([later, entry('b')])).toEqual({ count: 2, dropped: 0 })
    expect(ids(await all(store))).toEqual(['later', 'b'])
  })

  it('looks ids up once, not at every append, after the clock goes back', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 100_000 })
    const recorded = (id: string) => storedEvent(id, 100, { timestamp: new Date() })
    vi.useFakeTimers({ toFake: ['Date'] })
    const cursors = vi.spyOn(IDBObjectStore.prototype, 'openCursor')
    try {
      vi.setSystemTime(Date.now() - 3_600_000)
      await store.append([recorded('a')])
      expect(cursors).toHaveBeenCalledTimes(1)
      await store.append([recorded('b')])
      await store.append([recorded('c')])
      expect(cursors).toHaveBeenCalledTimes(1)
    } finally {
      cursors.mockRestore()
      vi.useRealTimers()
    }
    expect(ids(await all(store))).toEqual(['a', 'b', 'c'])
  })

  it('keeps neither the events nor the totals of an append that fails part-way', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 1_000 })
    await store.append(entries('a', 2))
    // The totals are written last, after the events' add: fail there.
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new Error('disk on fire')
    })
    try {
      await expect(store.append(entries('b', 3))).rejects.toThrow('disk on fire')
    } finally {
      put.mockRestore()
    }
    expect(ids(await all(store))).toEqual(['a-0', 'a-1'])
    expect(await store.count()).toBe(2)
    // The byte total is the old one: eight more 100-byte events fit, a ninth does not.
    expect(await store.append(entries('c', 8))).toEqual({ count: 10, dropped: 0 })
  })

  it('stores an id once, so that merging a spill twice is harmless', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 1_000 })
    await store.append(entries('a', 3))
    expect(await store.append([entry('a-1'), entry('b'), entry('b'), entry('a-2')])).toEqual({
      count: 4,
      dropped: 0,
    })
    expect(ids(await all(store))).toEqual(['a-0', 'a-1', 'a-2', 'b'])
    // Duplicates did not count towards the byte bound: six more 100-byte events fit.
    expect(await store.append(entries('c', 6))).toEqual({ count: 10, dropped: 0 })
    expect(await store.append([entry('d')])).toEqual({ count: 10, dropped: 1 })
  })
})

describe('bounds', () => {
  it('drops the oldest events past maxEvents', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 5, maxBytes: Infinity })
    expect(await store.append(entries('a', 4))).toEqual({ count: 4, dropped: 0 })
    expect(await store.append(entries('b', 3))).toEqual({ count: 5, dropped: 2 })
    expect(ids(await all(store))).toEqual(['a-2', 'a-3', 'b-0', 'b-1', 'b-2'])
    expect(await store.append(entries('c', 7))).toEqual({ count: 5, dropped: 7 })
    expect(ids(await all(store))).toEqual(['c-2', 'c-3', 'c-4', 'c-5', 'c-6'])
  })

  it('drops the oldest events past maxBytes, counting what removals freed', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 1_000 })
    await store.append([entry('a', 400), entry('b', 300), entry('c', 200)])
    expect(await store.append([entry('d', 250)])).toEqual({ count: 3, dropped: 1 })
    expect(ids(await all(store))).toEqual(['b', 'c', 'd'])

    await store.remove(['c'])
    expect(await store.append([entry('e', 450)])).toEqual({ count: 3, dropped: 0 })
    expect(await store.append([entry('f', 1)])).toEqual({ count: 3, dropped: 1 })
    expect(ids(await all(store))).toEqual(['d', 'e', 'f'])
  })

  it('drops an event larger than maxBytes on its own', async () => {
    const store = await open(new IDBFactory(), { maxEvents: 100, maxBytes: 1_000 })
    await store.append([entry('a', 100)])
    expect(await store.append([entry('huge', 5_000)])).toEqual({ count: 0, dropped: 2 })
    expect(await store.append([entry('b', 100)])).toEqual({ count: 1, dropped: 0 })
  })

  it('behaves as the memory store under any sequence of operations', async () => {
    type Op =
      | { type: 'append'; sizes: number[] }
      | { type: 'remove'; picks: number[] }
      | { type: 'peek'; maxEvents: number; maxBytes: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        type: fc.constant('append'),
        sizes: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 12 }),
      }),
      fc.record({ type: fc.constant('remove'), picks: fc.array(fc.nat(30), { maxLength: 8 }) }),
      fc.record({
        type: fc.constant('peek'),
        maxEvents: fc.integer({ min: 1, max: 20 }),
        maxBytes: fc.integer({ min: 1, max: 3_000 }),
      }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.record({ maxEvents: fc.integer({ min: 1, max: 25 }), maxBytes: fc.nat(4_000) }),
        fc.array(op, { maxLength: 25 }),
        async (storeBounds, ops) => {
          const store = await openIndexedDbStore({
            bounds: storeBounds,
            indexedDB: new IDBFactory(),
          })
          const model = createMemoryStore(storeBounds)
          let next = 0
          try {
            for (const step of ops) {
              if (step.type === 'append') {
                const batch = step.sizes.map(size => entry(`e-${next++}`, size))
                expect(await store.append(batch)).toEqual(await model.append(batch))
              } else if (step.type === 'remove') {
                // Ids near the head of the queue, some of them long gone or never minted.
                const doomed = step.picks.map(pick => `e-${next - pick}`)
                expect(await store.remove(doomed)).toBe(await model.remove(doomed))
              } else {
                expect(await store.peek(step.maxEvents, step.maxBytes)).toEqual(
                  await model.peek(step.maxEvents, step.maxBytes),
                )
              }
            }
            expect(await all(store)).toEqual(await model.peek(Infinity, Infinity))
          } finally {
            await store.close()
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('tabs', () => {
  it('behave as one memory store under any interleaving, a peek in one and trims or removals in another before its removal', async () => {
    type Op =
      | { tab: number; type: 'append'; sizes: number[] }
      | { tab: number; type: 'remove'; picks: number[] }
      | { tab: number; type: 'peek'; maxEvents: number }
    const tab = fc.integer({ min: 0, max: 1 })
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        tab,
        type: fc.constant('append'),
        sizes: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 8 }),
      }),
      fc.record({
        tab,
        type: fc.constant('remove'),
        picks: fc.array(fc.nat(20), { maxLength: 10 }),
      }),
      fc.record({ tab, type: fc.constant('peek'), maxEvents: fc.integer({ min: 1, max: 20 }) }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.record({ maxEvents: fc.integer({ min: 1, max: 15 }), maxBytes: fc.nat(3_000) }),
        fc.array(op, { maxLength: 30 }),
        async (storeBounds, ops) => {
          const factory = new IDBFactory()
          const tabs = [
            await openIndexedDbStore({ bounds: storeBounds, indexedDB: factory }),
            await openIndexedDbStore({ bounds: storeBounds, indexedDB: factory }),
          ]
          const model = createMemoryStore(storeBounds)
          let next = 0
          // What each tab peeked last: a sender removes what it sent, as acknowledged.
          const peeked: string[][] = [[], []]
          try {
            for (const step of ops) {
              const store = tabs[step.tab] as IndexedDbStore
              if (step.type === 'append') {
                const batch = step.sizes.map(size => entry(`e-${next++}`, size))
                expect(await store.append(batch)).toEqual(await model.append(batch))
              } else if (step.type === 'remove') {
                // The tab's last batch, and ids near the head, some gone or never minted.
                const doomed = [
                  ...(peeked[step.tab] ?? []),
                  ...step.picks.map(pick => `e-${next - pick}`),
                ]
                expect(await store.remove(doomed)).toBe(await model.remove(doomed))
              } else {
                const batch = await store.peek(step.maxEvents, Infinity)
                expect(batch).toEqual(await model.peek(step.maxEvents, Infinity))
                peeked[step.tab] = ids(batch)
              }
            }
            expect(await all(tabs[0] as IndexedDbStore)).toEqual(
              await model.peek(Infinity, Infinity),
            )
            expect(await (tabs[1] as IndexedDbStore).count()).toBe(await model.count())
          } finally {
            await Promise.all(tabs.map(store => store.close()))
          }
        },
      ),
      { numRuns: 80 },
    )
  })

  it("count a removal's events once when another tab trimmed them since the peek", async () => {
    const factory = new IDBFactory()
    const tabBounds = { maxEvents: 4, maxBytes: 10_000 }
    const sender = await open(factory, tabBounds)
    const other = await open(factory, tabBounds)
    await sender.append(entries('a', 3))
    const batch = await all(sender)
    expect(await other.append(entries('b', 2))).toEqual({ count: 4, dropped: 1 })
    expect(await sender.remove(ids(batch))).toBe(2)
    expect(ids(await all(other))).toEqual(['b-0', 'b-1'])
  })

  it('share one queue, its order and its bounds', async () => {
    const factory = new IDBFactory()
    const tabBounds = { maxEvents: 6, maxBytes: 10_000 }
    const first = await open(factory, tabBounds)
    const second = await open(factory, tabBounds)

    await first.append([entry('1a')])
    await second.append([entry('2a'), entry('2b')])
    await first.append([entry('1b')])
    expect(ids(await all(second))).toEqual(['1a', '2a', '2b', '1b'])

    expect(await second.append([entry('2c'), entry('2d'), entry('2e')])).toEqual({
      count: 6,
      dropped: 1,
    })
    expect(ids(await all(first))).toEqual(['2a', '2b', '1b', '2c', '2d', '2e'])

    // An id one tab spilled and the other merged is stored once.
    expect(await first.append([entry('2e')])).toEqual({ count: 6, dropped: 0 })
    expect(await first.remove(['2a', '2b'])).toBe(4)
    expect(await second.count()).toBe(4)
  })

  it('share the byte total', async () => {
    const factory = new IDBFactory()
    const tabBounds = { maxEvents: 100, maxBytes: 1_000 }
    const first = await open(factory, tabBounds)
    const second = await open(factory, tabBounds)
    await first.append(entries('a', 6, 100))
    expect(await second.append(entries('b', 5, 100))).toEqual({ count: 10, dropped: 1 })
    await second.remove(['b-0', 'b-1'])
    expect(await first.append(entries('c', 2, 100))).toEqual({ count: 10, dropped: 0 })
  })

  it('keeps apart the queues of databases with other names', async () => {
    const factory = new IDBFactory()
    const web = await open(factory, bounds)
    const other = await open(factory, bounds, 'other-app')
    await web.append([entry('a')])
    expect(await other.count()).toBe(0)
  })
})

describe('opening', () => {
  it('rejects without IndexedDB, without throwing', async () => {
    expect(globalThis.indexedDB).toBeUndefined()
    let opening: Promise<unknown> | undefined
    expect(() => (opening = openIndexedDbStore({ bounds }))).not.toThrow()
    await expect(opening).rejects.toThrow()
  })

  it('rejects a database a newer version already upgraded', async () => {
    const factory = new IDBFactory()
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('tally-telemetry', queueVersion + 1)
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(new Error('open failed'))
    })
    await expect(openIndexedDbStore({ bounds, indexedDB: factory })).rejects.toMatchObject({
      name: 'VersionError',
    })
  })

  it('closes on a versionchange, so that a newer tab is not blocked, and rejects afterwards', async () => {
    const factory = new IDBFactory()
    const store = await open(factory)
    await store.append([entry('a')])

    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('tally-telemetry', queueVersion + 1)
      request.onblocked = () => reject(new Error('our connection blocked the newer tab'))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(new Error('open failed'))
    })
    newer.close()

    await expect(store.append([entry('b')])).rejects.toThrow()
    await expect(store.peek(10, 1_000)).rejects.toThrow()
    await expect(store.remove(['a'])).rejects.toThrow()
    await expect(store.count()).rejects.toThrow()
    await expect(store.claim('tab-1', 1, 1)).rejects.toThrow()
  })
})

describe('an open that does not finish', () => {
  /** A factory whose open request the test answers (or never does). */
  function stalledFactory() {
    const request = {} as { -readonly [K in keyof IDBOpenDBRequest]: IDBOpenDBRequest[K] }
    const factory = { open: () => request } as unknown as IDBFactory
    const connection = { close: vi.fn() }
    /** The connection opening after all, late. */
    const succeed = () => {
      request.result = connection as unknown as IDBDatabase
      request.onsuccess?.call(request, new Event('success'))
    }
    return { factory, request, connection, succeed }
  }

  it('is given up past openTimeoutMs (a Safari that never answers); a late connection is closed', async () => {
    vi.useFakeTimers()
    try {
      const stalled = stalledFactory()
      const opening = openIndexedDbStore({ bounds, indexedDB: stalled.factory })
      const outcome = expect(opening).rejects.toThrow('IndexedDB did not open in 5000 ms')
      await vi.advanceTimersByTimeAsync(4_999)
      expect(stalled.connection.close).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(1)
      await outcome
      stalled.succeed()
      expect(stalled.connection.close).toHaveBeenCalledTimes(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('is given up at once when another tab blocks it; a late connection is closed', async () => {
    const stalled = stalledFactory()
    const opening = openIndexedDbStore({
      bounds,
      indexedDB: stalled.factory,
      openTimeoutMs: 60_000,
    })
    stalled.request.onblocked?.call(stalled.request, new Event('blocked') as IDBVersionChangeEvent)
    await expect(opening).rejects.toThrow('IndexedDB blocked')
    stalled.succeed()
    expect(stalled.connection.close).toHaveBeenCalledTimes(1)
  })
})

/** Every record of `meta` and `chunks`, read with the raw API. */
function readRaw(factory: IDBFactory, name: string) {
  return new Promise<{ meta: Record<string, unknown>; chunks: unknown[] }>((resolve, reject) => {
    const request = factory.open(name)
    request.onsuccess = () => {
      const tx = request.result.transaction(['meta', 'chunks'])
      const keys = tx.objectStore('meta').getAllKeys()
      const values = tx.objectStore('meta').getAll()
      const chunks = tx.objectStore('chunks').getAll()
      tx.oncomplete = () => {
        request.result.close()
        const meta = Object.fromEntries(
          (keys.result as string[]).map((key, index) => [key, values.result[index]]),
        )
        resolve({ meta, chunks: chunks.result })
      }
    }
    request.onerror = () => reject(new Error('reading the database failed'))
  })
}

describe('the stored format', () => {
  it('reads a version 1 database written by hand from the fixture', async () => {
    const factory = new IDBFactory()
    // The raw IndexedDB API, not the module under test: this is what version 1 wrote.
    await new Promise<void>((resolve, reject) => {
      const request = factory.open(indexedDbV1.name, indexedDbV1.version)
      request.onupgradeneeded = () => {
        const db = request.result
        const events = db.createObjectStore('events', { autoIncrement: true })
        events.createIndex('id', 'event.id', { unique: true })
        const meta = db.createObjectStore('meta')
        for (const record of indexedDbV1.events) events.add(record)
        meta.put(indexedDbV1.meta.bytes, 'bytes')
      }
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(new Error('writing the fixture failed'))
    })

    const store = await open(factory, { maxEvents: 100, maxBytes: indexedDbV1.meta.bytes + 100 })
    expect(await all(store)).toEqual(
      indexedDbV1.events.map(({ event, bytes }) => ({ event, bytes })),
    )
    expect((await store.peek(1, 1))[0]?.event.timestamp).toBeInstanceOf(Date)

    // The byte total carries on from the stored one, and new events queue after the old.
    expect(await store.append([entry('new', 100)])).toEqual({ count: 4, dropped: 0 })
    expect(await store.append([entry('V1ccccccccccccccccccc')])).toEqual({ count: 4, dropped: 0 })
    expect(await store.append([entry('newer', 1)])).toEqual({ count: 4, dropped: 1 })
    expect(ids(await all(store))).toEqual([
      'V1bbbbbbbbbbbbbbbbbbb',
      'V1ccccccccccccccccccc',
      'new',
      'newer',
    ])
  })

  it('reads a version 2 database written by hand from the fixture', async () => {
    const factory = new IDBFactory()
    await new Promise<void>((resolve, reject) => {
      const request = factory.open(indexedDbV2.name, indexedDbV2.version)
      request.onupgradeneeded = () => {
        const db = request.result
        const chunks = db.createObjectStore('chunks', { autoIncrement: true })
        chunks.createIndex('ids', 'ids', { unique: true, multiEntry: true })
        const meta = db.createObjectStore('meta')
        for (const chunk of indexedDbV2.chunks) chunks.add(chunk)
        meta.put(indexedDbV2.meta.bytes, 'bytes')
        meta.put(indexedDbV2.meta.count, 'count')
      }
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(new Error('writing the fixture failed'))
    })

    const store = await open(factory, { maxEvents: 100, maxBytes: indexedDbV2.meta.bytes + 100 })
    expect(await all(store)).toEqual(indexedDbV2.chunks.flatMap(chunk => chunk.events))
    expect(await store.count()).toBe(3)
    expect(await store.remove([indexedDbV1.events[1]?.event.id ?? ''])).toBe(2)
    expect(await store.append([entry('V1aaaaaaaaaaaaaaaaaaa'), entry('new', 100)])).toEqual({
      count: 3,
      dropped: 0,
    })
    expect(await store.append([entry('newer', 400)])).toEqual({ count: 3, dropped: 1 })
    expect(ids(await all(store))).toEqual(['V1ccccccccccccccccccc', 'new', 'newer'])
  })

  it("drops version 2's index when it upgrades, keeping its chunks", async () => {
    const factory = new IDBFactory()
    await new Promise<void>((resolve, reject) => {
      const request = factory.open(indexedDbV2.name, indexedDbV2.version)
      request.onupgradeneeded = () => {
        const chunks = request.result.createObjectStore('chunks', { autoIncrement: true })
        chunks.createIndex('ids', 'ids', { unique: true, multiEntry: true })
        request.result.createObjectStore('meta')
        for (const chunk of indexedDbV2.chunks) chunks.add(chunk)
      }
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(new Error('writing the fixture failed'))
    })
    await (await openIndexedDbStore({ bounds, indexedDB: factory })).close()

    const upgraded = await new Promise<{ indexes: number; chunks: unknown[] }>(
      (resolve, reject) => {
        const request = factory.open(indexedDbV2.name)
        request.onsuccess = () => {
          const chunks = request.result.transaction('chunks').objectStore('chunks')
          const read = chunks.getAll()
          read.onsuccess = () => {
            resolve({ indexes: chunks.indexNames.length, chunks: read.result })
            request.result.close()
          }
        }
        request.onerror = () => reject(new Error('reading the upgrade failed'))
      },
    )
    expect(upgraded).toEqual({ indexes: 0, chunks: indexedDbV2.chunks })
  })

  it('reads a version 3 database written by hand from the fixture', async () => {
    const factory = new IDBFactory()
    await writeIndexedDbV3(factory)

    const store = await open(factory, { maxEvents: 100, maxBytes: indexedDbV3.meta.bytes + 100 })
    expect(await all(store)).toEqual(indexedDbV3.chunks.flatMap(chunk => chunk.events))
    expect(await store.count()).toBe(3)
    // Its ids are stored already: a spill merged again leaves the queue as it was.
    expect(await store.append(indexedDbV3.chunks[1]?.events ?? [])).toEqual({
      count: 3,
      dropped: 0,
    })
    expect(await store.append([entry('new', 100)])).toEqual({ count: 4, dropped: 0 })
    expect(await store.append([entry('newer', 1)])).toEqual({ count: 4, dropped: 1 })
    expect(ids(await all(store))).toEqual([
      'V1bbbbbbbbbbbbbbbbbbb',
      'V1ccccccccccccccccccc',
      'new',
      'newer',
    ])
  })
  it("moves version 3's totals into one record when it upgrades, keeping its chunks as they were", async () => {
    const factory = new IDBFactory()
    await writeIndexedDbV3(factory)
    await (await openIndexedDbStore({ bounds, indexedDB: factory })).close()

    expect(await readRaw(factory, indexedDbV3.name)).toEqual({
      meta: { totals: { count: indexedDbV3.meta.count, bytes: indexedDbV3.meta.bytes } },
      chunks: indexedDbV3.chunks,
    })
    // Every event comes back once, and the totals hold them exactly: one more byte than they
    // hold drops the oldest.
    const store = await open(factory, { maxEvents: 100, maxBytes: indexedDbV3.meta.bytes })
    const events = indexedDbV3.chunks.flatMap(chunk => chunk.events)
    expect(await all(store)).toEqual(events)
    expect(await store.count()).toBe(events.length)
    expect(await store.append([entry('new', 1)])).toEqual({ count: events.length, dropped: 1 })
    expect(ids(await all(store))).toEqual([...ids(events.slice(1)), 'new'])
  })

  it('reads a version 4 database written by hand from the fixture', async () => {
    const factory = new IDBFactory()
    await new Promise<void>((resolve, reject) => {
      const request = factory.open(indexedDbV4.name, indexedDbV4.version)
      request.onupgradeneeded = () => {
        const db = request.result
        const chunks = db.createObjectStore('chunks', { autoIncrement: true })
        const meta = db.createObjectStore('meta')
        for (const chunk of indexedDbV4.chunks) chunks.add(chunk)
        meta.put(indexedDbV4.meta.totals, 'totals')
      }
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(new Error('writing the fixture failed'))
    })

    const store = await open(factory, {
      maxEvents: 3,
      maxBytes: indexedDbV4.meta.totals.bytes + 100,
    })
    const events = indexedDbV4.chunks.flatMap(chunk => chunk.events)
    expect(await all(store)).toEqual(events)
    expect(await store.count()).toBe(3)
    expect(await store.remove([events[1]?.event.id ?? ''])).toBe(2)
    expect(await store.append([entry('new', 100)])).toEqual({ count: 3, dropped: 0 })
    expect(await store.append([entry('newer', 100)])).toEqual({ count: 3, dropped: 1 })
    expect(ids(await all(store))).toEqual([events[2]?.event.id, 'new', 'newer'])
  })
})
