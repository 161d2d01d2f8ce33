import { describe, expect, it } from 'vitest'
import { at, idOf, ids, series, type ContractStores } from './fixtures.js'

/** `prune`: each retention rule, and the counts it reports. */
export function describeRetentionContract({ fresh }: ContractStores): void {
  describe('prune', () => {
    const keepAll = { exportedBefore: at(0), unexportedBefore: at(0), maxUnexported: 1_000 }

    it('deletes exported and refused rows received before the cutoff, and counts them', async () => {
      const store = await fresh()
      await store.insert(series(6))
      await store.markExported([idOf(0), idOf(1), idOf(4)], at(100))
      await store.markRejected([{ id: idOf(2), reason: 'invalid' }], at(100))
      expect(await store.prune({ ...keepAll, exportedBefore: at(4) })).toEqual({
        exported: 3,
        unexported: 0,
      })
      expect(ids(await store.get(series(6).map(e => e.event.id)))).toEqual([3, 4, 5].map(idOf))
    })

    it('deletes unexported rows received before the cutoff, and counts them', async () => {
      const store = await fresh()
      await store.insert(series(6))
      await store.markExported([idOf(0)], at(100))
      expect(await store.prune({ ...keepAll, unexportedBefore: at(3) })).toEqual({
        exported: 0,
        unexported: 2,
      })
      expect(await store.stats()).toMatchObject({
        total: 4,
        backlog: 3,
        oldestUnexportedAt: at(3),
      })
    })

    it('keeps the newest maxUnexported unexported rows and deletes the oldest beyond', async () => {
      const store = await fresh()
      await store.insert(series(10))
      await store.markExported([idOf(9)], at(100))
      expect(await store.prune({ ...keepAll, maxUnexported: 4 })).toEqual({
        exported: 0,
        unexported: 5,
      })
      expect(ids(await store.get(series(10).map(e => e.event.id)))).toEqual(
        [5, 6, 7, 8, 9].map(idOf),
      )
      expect(await store.prune({ ...keepAll, maxUnexported: 4 })).toEqual({
        exported: 0,
        unexported: 0,
      })
      expect(await store.prune({ ...keepAll, maxUnexported: 0 })).toEqual({
        exported: 0,
        unexported: 4,
      })
    })

    it('applies every rule in one call and counts each', async () => {
      const store = await fresh()
      await store.insert(series(10))
      await store.markExported([idOf(0), idOf(1), idOf(8)], at(100))
      const deleted = await store.prune({
        exportedBefore: at(5),
        unexportedBefore: at(3),
        maxUnexported: 3,
      })
      // Exported: 0 and 1. Unexported: 2 by age, then 3, 4 and 5 beyond the newest three.
      expect(deleted).toEqual({ exported: 2, unexported: 4 })
      expect(ids(await store.get(series(10).map(e => e.event.id)))).toEqual([6, 7, 8, 9].map(idOf))
    })

    it('refuses a policy that is not one', async () => {
      const store = await fresh()
      await expect(store.prune({ ...keepAll, maxUnexported: -1 })).rejects.toThrow(RangeError)
      await expect(store.prune({ ...keepAll, exportedBefore: new Date(NaN) })).rejects.toThrow(
        RangeError,
      )
    })
  })
}
