import { describe, expect, it } from 'vitest'
import {
  at,
  expectDisjoint,
  idOf,
  ids,
  ingested,
  minute,
  series,
  type ContractStores,
} from './fixtures.js'

/** Claims, leases, answers from the gateway, the preview and the export stats. */
export function describeExportQueueContract({ fresh }: ContractStores): void {
  describe('claimForExport', () => {
    it('claims the oldest rows first, up to the limit', async () => {
      const store = await fresh()
      const events = series(10)
      const order = [5, 2, 9, 0, 7, 1, 8, 3, 6, 4]
      await store.insert(order.map(i => events[i]).filter(event => event !== undefined))
      expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([0, 1, 2, 3].map(idOf))
      expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([4, 5, 6, 7].map(idOf))
      expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([8, 9].map(idOf))
      expect(await store.claimForExport(4, minute, at(100))).toEqual([])
    })

    it('breaks ties in receipt time by id, in byte order', async () => {
      const store = await fresh()
      await store.insert(['c-000001', 'a-000001', 'B-000001'].map(id => ingested(id)))
      const expected = ['B-000001', 'a-000001', 'c-000001']
      expect(ids(await store.peekExport(10))).toEqual(expected)
      expect(ids(await store.claimForExport(10, minute, new Date()))).toEqual(expected)
    })

    it('returns the rows as get does', async () => {
      const store = await fresh()
      await store.insert(series(3))
      const claimed = await store.claimForExport(3, minute, at(100))
      expect(claimed).toEqual(await store.get(ids(claimed)))
      expect(claimed[0]?.receivedAt).toBeInstanceOf(Date)
    })

    it('skips rows another exporter holds while its lease lasts', async () => {
      const [a, b] = [await fresh(), await fresh()]
      await a.insert(series(10))
      const first = await a.claimForExport(6, minute, at(100))
      const second = await b.claimForExport(10, minute, new Date(at(100).getTime() + minute - 1))
      expect(ids(first)).toEqual([0, 1, 2, 3, 4, 5].map(idOf))
      expect(ids(second)).toEqual([6, 7, 8, 9].map(idOf))
      expect(await a.claimForExport(10, minute, at(101))).toEqual([])
    })

    it('offers rows again once their lease has run out', async () => {
      const store = await fresh()
      await store.insert(series(5))
      const claimed = ids(await store.claimForExport(5, 1_000, at(100)))
      expect(await store.claimForExport(5, 1_000, new Date(at(100).getTime() + 999))).toEqual([])
      expect(
        ids(await store.claimForExport(5, 1_000, new Date(at(100).getTime() + 1_000))),
      ).toEqual(claimed)
    })

    it('offers released rows again at once', async () => {
      const store = await fresh()
      await store.insert(series(5))
      await store.claimForExport(5, minute, at(100))
      await store.release([idOf(3), idOf(1), 'missing-1'])
      expect(ids(await store.claimForExport(5, minute, at(101)))).toEqual([idOf(1), idOf(3)])
      await store.release([])
    })

    it('hands disjoint rows to exporters claiming concurrently', async () => {
      const [a, b] = [await fresh(), await fresh()]
      const total = 300
      await a.insert(series(total))
      const now = at(1_000)
      const claims = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).claimForExport(7, minute, now)),
      )
      for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(7)
      const claimed = expectDisjoint(claims)
      // Whatever the concurrent claims left (a skipped lock can shorten a claim), the
      // next claims take; nothing is handed out twice and nothing is lost.
      const rest = [
        await a.claimForExport(total, minute, now),
        await b.claimForExport(total, minute, now),
      ]
      const all = expectDisjoint([...claims, ...rest])
      expect(all.length).toBe(total)
      expect(claimed.length).toBeGreaterThan(0)
    })

    it('claims nothing with limit 0 and refuses a limit or lease that is not a count', async () => {
      const store = await fresh()
      await store.insert(series(2))
      expect(await store.claimForExport(0, minute, at(100))).toEqual([])
      await expect(store.claimForExport(-1, minute, at(100))).rejects.toThrow(RangeError)
      await expect(store.claimForExport(1.5, minute, at(100))).rejects.toThrow(RangeError)
      await expect(store.claimForExport(1, -1, at(100))).rejects.toThrow(RangeError)
      await expect(store.claimForExport(1, minute, new Date(NaN))).rejects.toThrow(RangeError)
      expect(ids(await store.claimForExport(2, minute, at(100)))).toEqual([idOf(0), idOf(1)])
    })
  })

  describe('markExported and markRejected', () => {
    it('markExported takes rows out of the backlog and out of every later claim', async () => {
      const store = await fresh()
      await store.insert(series(5))
      await store.claimForExport(5, 1_000, at(100))
      await store.markExported([idOf(0), idOf(2), idOf(4)], at(101))
      expect(await store.stats()).toMatchObject({ total: 5, backlog: 2 })
      expect(ids(await store.claimForExport(5, 1_000, at(200)))).toEqual([idOf(1), idOf(3)])
      const [row] = await store.get([idOf(2)])
      expect(row).toMatchObject({ exportedAt: at(101), exportRejection: null })
      expect(row?.exportedAt).toBeInstanceOf(Date)
    })

    it('markRejected keeps the reason and never offers the row again', async () => {
      const store = await fresh()
      await store.insert(series(4))
      await store.claimForExport(4, 1_000, at(100))
      await store.markRejected(
        [
          { id: idOf(1), reason: 'event too large' },
          { id: idOf(3), reason: 'invalid: ‹feature›' },
        ],
        at(101),
      )
      const rows = await store.get([idOf(1), idOf(3)])
      expect(rows.map(row => row.exportRejection)).toEqual([
        'event too large',
        'invalid: ‹feature›',
      ])
      // exportedAt records when the gateway answered, acknowledged or refused.
      expect(rows.map(row => row.exportedAt)).toEqual([at(101), at(101)])
      expect(ids(await store.claimForExport(4, 1_000, at(200)))).toEqual([idOf(0), idOf(2)])
      await store.release([idOf(0), idOf(2), idOf(1), idOf(3)])
      expect(ids(await store.peekExport(10))).toEqual([idOf(0), idOf(2)])
      expect((await store.stats()).backlog).toBe(2)
    })

    it('keeps the first answer for a row, and ignores unknown ids and empty lists', async () => {
      const store = await fresh()
      await store.insert(series(2))
      await store.markExported([idOf(0)], at(10))
      await store.markExported([idOf(0)], at(20))
      await store.markRejected([{ id: idOf(0), reason: 'late' }], at(30))
      await store.markRejected([{ id: idOf(1), reason: 'too large' }], at(40))
      await store.markExported([idOf(1), 'missing-1'], at(50))
      await store.markRejected([{ id: 'missing-2', reason: 'x' }], at(50))
      await store.markExported([], at(60))
      await store.markRejected([], at(60))
      const [first, second] = await store.get([idOf(0), idOf(1)])
      expect(first).toMatchObject({ exportedAt: at(10), exportRejection: null })
      expect(second).toMatchObject({ exportedAt: at(40), exportRejection: 'too large' })
    })
  })

  describe('peekExport', () => {
    it('shows the rows the next claim takes, without claiming them', async () => {
      const store = await fresh()
      await store.insert(series(5))
      const peeked = await store.peekExport(3)
      expect(ids(peeked)).toEqual([0, 1, 2].map(idOf))
      expect(await store.peekExport(3)).toEqual(peeked)
      expect(await store.claimForExport(3, minute, new Date())).toEqual(peeked)
      expect(await store.peekExport(0)).toEqual([])
    })

    it('pages from an offset in export order', async () => {
      const store = await fresh()
      await store.insert(series(5))
      expect(ids(await store.peekExport(2, 0))).toEqual([0, 1].map(idOf))
      expect(ids(await store.peekExport(2, 2))).toEqual([2, 3].map(idOf))
      expect(ids(await store.peekExport(2, 4))).toEqual([idOf(4)])
      expect(await store.peekExport(2, 5)).toEqual([])
      await expect(store.peekExport(2, -1)).rejects.toThrow(/offset/)
    })

    it('leaves out rows under a live lease and rows already answered', async () => {
      const store = await fresh()
      await store.insert(series(5))
      await store.claimForExport(2, minute, new Date())
      await store.markExported([idOf(2)], new Date())
      await store.markRejected([{ id: idOf(3), reason: 'invalid' }], new Date())
      expect(ids(await store.peekExport(10))).toEqual([idOf(4)])
    })
  })

  describe('stats', () => {
    it('is zero on an empty store', async () => {
      const store = await fresh()
      expect(await store.stats()).toEqual({ total: 0, backlog: 0, oldestUnexportedAt: null })
    })

    it('counts rows and the backlog, and dates the oldest unexported row', async () => {
      const store = await fresh()
      const events = series(6)
      await store.insert([5, 1, 3].map(i => events[i]).filter(event => event !== undefined))
      expect(await store.stats()).toEqual({ total: 3, backlog: 3, oldestUnexportedAt: at(1) })
      await store.markExported([idOf(1)], at(100))
      expect(await store.stats()).toEqual({ total: 3, backlog: 2, oldestUnexportedAt: at(3) })
      await store.claimForExport(10, minute, at(100))
      expect(await store.stats()).toEqual({ total: 3, backlog: 2, oldestUnexportedAt: at(3) })
      await store.markExported([idOf(3)], at(100))
      await store.markRejected([{ id: idOf(5), reason: 'invalid' }], at(100))
      expect(await store.stats()).toEqual({ total: 3, backlog: 0, oldestUnexportedAt: null })
    })
  })
}
