import { describe, expect, it } from 'vitest'
import { idOf, ids, series, type ContractStores } from './fixtures.js'

/** `migrate` and `close`: the store's lifecycle. */
export function describeLifecycleContract({ openStore, fresh }: ContractStores): void {
  describe('migrate', () => {
    it('is idempotent: twice, then from another store, and the data stays', async () => {
      const store = await fresh()
      await store.migrate()
      expect(await store.insert(series(3))).toBe(3)
      const other = await openStore()
      await other.migrate()
      await other.migrate()
      expect((await other.stats()).total).toBe(3)
      expect(ids(await other.get([idOf(0)]))).toEqual([idOf(0)])
    })

    it('succeeds for every store when several migrate a new database at once', async () => {
      const stores = [await openStore(), await openStore(), await openStore(), await openStore()]
      await Promise.all(stores.map(store => store.migrate()))
      const counts = await Promise.all(stores.map((store, i) => store.insert(series(1, i))))
      expect(counts).toEqual([1, 1, 1, 1])
      expect((await stores[0]?.stats())?.total).toBe(4)
    })
  })

  it('closes idempotently', async () => {
    const store = await fresh()
    await store.close()
    await store.close()
  })
}
