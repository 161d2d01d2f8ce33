import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type {
  EventStore,
  StoreBounds,
  StoredEvent,
} from '../../../src/client/stores/event-store.js'
import { createMemoryStore } from '../../../src/client/stores/memory-store.js'
import { storedEvent } from '../../support/events.js'

const stored = storedEvent

const many = (count: number, bytes = 100, from = 0) =>
  Array.from({ length: count }, (_, i) =>
    stored(`event-${String(from + i).padStart(5, '0')}`, bytes),
  )

const ids = (entries: readonly StoredEvent[]) => entries.map(entry => entry.event.id)

const roomy: StoreBounds = { maxEvents: 1_000, maxBytes: 1_000_000 }

/** Everything in the store, oldest first. */
const contents = async (store: EventStore) => ids(await store.peek(Infinity, Infinity))

describe('memory store basics', () => {
  it('is a memory store', () => {
    expect(createMemoryStore(roomy).kind).toBe('memory')
  })

  it('starts empty', async () => {
    const store = createMemoryStore(roomy)
    expect(await store.count()).toBe(0)
    expect(await store.peek(10, 10_000)).toEqual([])
  })

  it('appends in order and reports the count after each append', async () => {
    const store = createMemoryStore(roomy)
    expect(await store.append(many(3))).toEqual({ count: 3, dropped: 0 })
    expect(await store.append(many(2, 100, 3))).toEqual({ count: 5, dropped: 0 })
    expect(await store.append([])).toEqual({ count: 5, dropped: 0 })
    expect(await store.count()).toBe(5)
    expect(await contents(store)).toEqual(ids(many(5)))
  })

  it('peeks without removing', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(3))
    expect(ids(await store.peek(2, 10_000))).toEqual(['event-00000', 'event-00001'])
    expect(ids(await store.peek(2, 10_000))).toEqual(['event-00000', 'event-00001'])
    expect(await store.count()).toBe(3)
  })

  it('returns the stored events themselves, sizes included', async () => {
    const store = createMemoryStore(roomy)
    const entry = stored('event-00000', 321)
    await store.append([entry])
    expect(await store.peek(1, 10_000)).toEqual([entry])
  })

  it('removes acknowledged head ids and resolves with the count left', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(5))
    expect(await store.remove(['event-00000', 'event-00001'])).toBe(3)
    expect(await contents(store)).toEqual(['event-00002', 'event-00003', 'event-00004'])
  })

  it('removes ids from the middle and the tail, in any order', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(6))
    expect(await store.remove(['event-00005', 'event-00002', 'event-00003'])).toBe(3)
    expect(await contents(store)).toEqual(['event-00000', 'event-00001', 'event-00004'])
  })

  it('removes a head run and a later id in one call', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(5))
    expect(await store.remove(['event-00003', 'event-00000', 'event-00001'])).toBe(2)
    expect(await contents(store)).toEqual(['event-00002', 'event-00004'])
  })

  it('ignores unknown ids and ids already removed', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(3))
    expect(await store.remove(['nope', 'event-00001'])).toBe(2)
    expect(await store.remove(['event-00001', 'also-nope'])).toBe(2)
    expect(await store.remove([])).toBe(2)
    expect(await contents(store)).toEqual(['event-00000', 'event-00002'])
  })

  it('frees the bytes of removed events for new ones', async () => {
    const store = createMemoryStore({ maxEvents: 100, maxBytes: 300 })
    await store.append(many(3))
    await store.remove(['event-00001'])
    expect(await store.append(many(1, 100, 3))).toEqual({ count: 3, dropped: 0 })
    expect(await contents(store)).toEqual(['event-00000', 'event-00002', 'event-00003'])
  })

  it('clears everything and says how many were removed', async () => {
    const store = createMemoryStore({ maxEvents: 100, maxBytes: 500 })
    await store.append(many(5))
    await store.remove(['event-00000'])
    expect(await store.clear()).toBe(4)
    expect(await store.count()).toBe(0)
    expect(await store.clear()).toBe(0)
    // The byte budget is whole again.
    expect(await store.append(many(5, 100, 10))).toEqual({ count: 5, dropped: 0 })
  })

  it('closes without losing anything', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(2))
    await store.close()
    expect(await store.count()).toBe(2)
  })
})

describe('memory store bounds', () => {
  it('drops the oldest first past maxEvents and says how many', async () => {
    const store = createMemoryStore({ maxEvents: 3, maxBytes: 1_000_000 })
    await store.append(many(2))
    expect(await store.append(many(3, 100, 2))).toEqual({ count: 3, dropped: 2 })
    expect(await contents(store)).toEqual(['event-00002', 'event-00003', 'event-00004'])
  })

  it('drops the oldest first past maxBytes and says how many', async () => {
    const store = createMemoryStore({ maxEvents: 100, maxBytes: 1_000 })
    await store.append([stored('big-0001', 600), stored('small-0001', 100)])
    expect(await store.append([stored('big-0002', 500)])).toEqual({ count: 2, dropped: 1 })
    expect(await contents(store)).toEqual(['small-0001', 'big-0002'])
  })

  it('drops from a single oversized append down to the bound', async () => {
    const store = createMemoryStore({ maxEvents: 4, maxBytes: 1_000_000 })
    expect(await store.append(many(10))).toEqual({ count: 4, dropped: 6 })
    expect(await contents(store)).toEqual(ids(many(4, 100, 6)))
  })

  it('keeps exactly the bound without dropping', async () => {
    const store = createMemoryStore({ maxEvents: 3, maxBytes: 300 })
    expect(await store.append(many(3))).toEqual({ count: 3, dropped: 0 })
  })

  it('drops an event larger than maxBytes on its own rather than exceed the bound', async () => {
    const store = createMemoryStore({ maxEvents: 10, maxBytes: 500 })
    await store.append(many(2))
    expect(await store.append([stored('huge-0001', 501)])).toEqual({ count: 0, dropped: 3 })
    expect(await store.count()).toBe(0)
  })

  it('stays bounded across many appends and removes (head compaction)', async () => {
    const store = createMemoryStore({ maxEvents: 2_000, maxBytes: 10_000_000 })
    let dropped = 0
    for (let round = 0; round < 20; round++) {
      dropped += (await store.append(many(500, 10, round * 500))).dropped
      const batch = await store.peek(300, Infinity)
      await store.remove(ids(batch))
    }
    // 10,000 appended, 6,000 acknowledged, the rest within the bound.
    const left = await store.count()
    expect(left + dropped).toBe(4_000)
    expect(left).toBeLessThanOrEqual(2_000)
    expect((await contents(store)).at(-1)).toBe('event-09999')
  })
})

describe('memory store peek', () => {
  it('stops at maxEvents', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(10))
    expect(ids(await store.peek(4, Infinity))).toEqual(ids(many(4)))
  })

  it('stops before the event that would pass maxBytes', async () => {
    const store = createMemoryStore(roomy)
    await store.append([stored('a-000001', 40), stored('b-000001', 50), stored('c-000001', 20)])
    expect(ids(await store.peek(10, 100))).toEqual(['a-000001', 'b-000001'])
    expect(ids(await store.peek(10, 90))).toEqual(['a-000001', 'b-000001'])
    expect(ids(await store.peek(10, 89))).toEqual(['a-000001'])
  })

  it('does not skip a big event to take smaller ones behind it', async () => {
    const store = createMemoryStore(roomy)
    await store.append([stored('a-000001', 40), stored('b-000001', 500), stored('c-000001', 1)])
    expect(ids(await store.peek(10, 100))).toEqual(['a-000001'])
  })

  it('always returns the oldest event, even one larger than maxBytes', async () => {
    const store = createMemoryStore(roomy)
    await store.append([stored('big-0001', 5_000), stored('small-0001', 1)])
    expect(ids(await store.peek(10, 100))).toEqual(['big-0001'])
    expect(ids(await store.peek(10, 0))).toEqual(['big-0001'])
  })

  it('returns what is queued when asked for more', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(2))
    expect(await store.peek(100, Infinity)).toHaveLength(2)
  })

  it('starts after removed head events', async () => {
    const store = createMemoryStore(roomy)
    await store.append(many(5))
    await store.remove(['event-00000', 'event-00002'])
    expect(ids(await store.peek(2, Infinity))).toEqual(['event-00001', 'event-00003'])
  })
})

type Op =
  | { kind: 'append'; sizes: number[] }
  | { kind: 'peek'; maxEvents: number; maxBytes: number }
  | { kind: 'remove'; picks: number[]; unknown: boolean }
  | { kind: 'ackHead'; count: number }
  | { kind: 'clear' }

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      sizes: fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 12 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('peek' as const),
      maxEvents: fc.integer({ min: 1, max: 15 }),
      maxBytes: fc.integer({ min: 0, max: 2_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      picks: fc.array(fc.nat(), { maxLength: 6 }),
      unknown: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('ackHead' as const),
      count: fc.integer({ min: 1, max: 15 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
)

/** The store's contract as plain array operations. */
class Model {
  entries: StoredEvent[] = []
  constructor(readonly bounds: StoreBounds) {}

  get bytes() {
    return this.entries.reduce((sum, entry) => sum + entry.bytes, 0)
  }

  append(events: StoredEvent[]) {
    this.entries.push(...events)
    let dropped = 0
    while (
      this.entries.length > 0 &&
      (this.entries.length > this.bounds.maxEvents || this.bytes > this.bounds.maxBytes)
    ) {
      this.entries.shift()
      dropped++
    }
    return { count: this.entries.length, dropped }
  }

  peek(maxEvents: number, maxBytes: number) {
    const batch: StoredEvent[] = []
    let bytes = 0
    for (const entry of this.entries) {
      if (batch.length >= maxEvents) break
      if (batch.length > 0 && bytes + entry.bytes > maxBytes) break
      batch.push(entry)
      bytes += entry.bytes
    }
    return batch
  }

  remove(doomed: readonly string[]) {
    this.entries = this.entries.filter(entry => !doomed.includes(entry.event.id))
    return this.entries.length
  }
}

describe('memory store against a model', () => {
  it('always holds what a plain array would, within its bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxEvents: fc.integer({ min: 1, max: 30 }),
          maxBytes: fc.integer({ min: 1, max: 3_000 }),
        }),
        fc.array(opArbitrary, { maxLength: 60 }),
        async (bounds, ops) => {
          const store = createMemoryStore(bounds)
          const model = new Model(bounds)
          let next = 0
          for (const op of ops) {
            switch (op.kind) {
              case 'append': {
                const events = op.sizes.map(size => stored(`event-${String(next++)}`, size))
                expect(await store.append(events)).toEqual(model.append(events))
                break
              }
              case 'peek':
                expect(ids(await store.peek(op.maxEvents, op.maxBytes))).toEqual(
                  ids(model.peek(op.maxEvents, op.maxBytes)),
                )
                break
              case 'remove': {
                const doomed = op.picks
                  .filter(() => model.entries.length > 0)
                  .map(pick => model.entries[pick % model.entries.length]?.event.id ?? '')
                if (op.unknown) doomed.push('never-stored', `event-${String(next + 1_000)}`)
                expect(await store.remove(doomed)).toBe(model.remove(doomed))
                break
              }
              case 'ackHead': {
                const batch = await store.peek(op.count, Infinity)
                expect(await store.remove(ids(batch))).toBe(model.remove(ids(batch)))
                break
              }
              case 'clear':
                expect(await store.clear()).toBe(model.entries.length)
                model.entries = []
                break
            }
            expect(await store.count()).toBe(model.entries.length)
            const all = await store.peek(Infinity, Infinity)
            expect(ids(all)).toEqual(ids(model.entries))
            expect(all.length).toBeLessThanOrEqual(bounds.maxEvents)
            expect(all.reduce((sum, entry) => sum + entry.bytes, 0)).toBeLessThanOrEqual(
              bounds.maxBytes,
            )
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it('agrees with the model past the compaction threshold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 5, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        async (chunks, picks) => {
          const bounds = { maxEvents: 1_500, maxBytes: 1_000_000 }
          const store = createMemoryStore(bounds)
          const model = new Model(bounds)
          let next = 0
          for (const count of chunks) {
            const events = many(count, 7, next)
            next += count
            expect(await store.append(events)).toEqual(model.append(events))
            const head = ids(await store.peek(Math.ceil(count / 2), Infinity))
            const scattered = picks.map(
              pick => model.entries[pick % Math.max(1, model.entries.length)]?.event.id ?? '',
            )
            const doomed = [...head, ...scattered]
            expect(await store.remove(doomed)).toBe(model.remove(doomed))
          }
          expect(await contents(store)).toEqual(ids(model.entries))
        },
      ),
      { numRuns: 50 },
    )
  })
})
