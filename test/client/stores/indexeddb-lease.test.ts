import { afterEach, describe, expect, it } from 'vitest'
import {
  openIndexedDbStore,
  type IndexedDbStore,
} from '../../../src/client/stores/indexeddb-store.js'
import { IDBFactory, installIndexedDbClasses } from './fake-indexeddb.js'

installIndexedDbClasses()

const opened: IndexedDbStore[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map(store => store.close()))
})

/** Opens the queue's database as a tab would: tabs of one origin share `factory`. */
async function open(factory: IDBFactory): Promise<IndexedDbStore> {
  const store = await openIndexedDbStore({
    bounds: { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024 },
    indexedDB: factory,
  })
  opened.push(store)
  return store
}

describe('the sender claim', () => {
  it('is exclusive until released', async () => {
    const factory = new IDBFactory()
    const first = await open(factory)
    const second = await open(factory)
    expect(await first.claim('tab-1', 5_000, 1_000)).toBe(true)
    expect(await second.claim('tab-2', 5_000, 2_000)).toBe(false)
    await second.release('tab-2')
    expect(await second.claim('tab-2', 5_000, 3_000)).toBe(false)
    await first.release('tab-1')
    expect(await second.claim('tab-2', 5_000, 3_000)).toBe(true)
    expect(await first.claim('tab-1', 5_000, 3_000)).toBe(false)
  })

  it('is free once its lease expired', async () => {
    const factory = new IDBFactory()
    const first = await open(factory)
    const second = await open(factory)
    expect(await first.claim('tab-1', 5_000, 1_000)).toBe(true)
    expect(await second.claim('tab-2', 5_000, 5_999)).toBe(false)
    expect(await second.claim('tab-2', 5_000, 6_000)).toBe(true)
    expect(await first.claim('tab-1', 5_000, 6_001)).toBe(false)
  })

  it('is renewed by its owner', async () => {
    const factory = new IDBFactory()
    const first = await open(factory)
    const second = await open(factory)
    expect(await first.claim('tab-1', 5_000, 1_000)).toBe(true)
    expect(await first.claim('tab-1', 5_000, 4_000)).toBe(true)
    expect(await second.claim('tab-2', 5_000, 8_999)).toBe(false)
    expect(await second.claim('tab-2', 5_000, 9_000)).toBe(true)
  })

  it('survives clearing the queue', async () => {
    const factory = new IDBFactory()
    const first = await open(factory)
    await first.claim('tab-1', 5_000, 1_000)
    await first.clear()
    expect(await first.claim('tab-2', 5_000, 2_000)).toBe(false)
  })

  it('goes to one owner when claimed at the same time', async () => {
    const factory = new IDBFactory()
    const tabs = await Promise.all(Array.from({ length: 5 }, () => open(factory)))
    const won = await Promise.all(tabs.map((tab, index) => tab.claim(`tab-${index}`, 5_000, 1)))
    expect(won.filter(Boolean)).toHaveLength(1)
  })
})
