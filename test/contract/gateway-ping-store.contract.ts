import { describe, expect, it } from 'vitest'
import type { Ping } from '../../src/protocol/ping.js'
import type { GatewayPingStore } from '../../src/server/gateway/gateway-ping-store.js'
import { formatDay } from '../../src/server/insights/days.js'
import {
  activeUsersByDayOf,
  everyPingKey,
  pingActiveUsersOf,
  samplePing,
} from '../support/gateway-data.js'
import { firstDay } from './insights-history.js'

/** Room for the tests that plant many pings, on a machine shared with other test files. */
const heavy = 30_000

/**
 * What every store of a gateway's pings promises (the gateway stores and the fleet's test
 * double). Call it inside a describe whose hooks close what `fresh` opened; `fresh` gives an
 * empty store, the same storage on each call within a test.
 */
export function describeGatewayPingStoreContract(
  name: string,
  fresh: () => Promise<GatewayPingStore>,
): void {
  describe(`${name} gateway ping store contract`, () => {
    const at = new Date('2026-11-27T12:00:00.000Z')

    it('stores one ping per (instance, day): a resend is not new and the first stays', async () => {
      const store = await fresh()
      const first = samplePing('acme', '2026-11-26', { dau: 4 })
      expect(await store.insertPing(first, at)).toBe(true)
      expect(await store.insertPing({ ...first, dau: 1 }, new Date(at.getTime() + 1000))).toBe(
        false,
      )
      expect(await store.insertPing(samplePing('globex', '2026-11-26'), at)).toBe(true)
      expect(await store.pings('acme')).toEqual([{ ping: first, receivedAt: at }])
      expect(
        await store.pingActiveUsers([
          { instance: 'globex', day: '2026-11-26' },
          { instance: 'acme', day: '2026-11-26' },
        ]),
      ).toEqual([
        { instance: 'globex', day: '2026-11-26', dau: 3, wau: 5, mau: 8 },
        { instance: 'acme', day: '2026-11-26', dau: 4, wau: first.wau, mau: first.mau },
      ])
      expect(await store.activeUsersByDay('2026-11-26', '2026-11-26')).toEqual([
        { day: '2026-11-26', dau: 7, wau: first.wau + 5, mau: first.mau + 8 },
      ])
    })

    it('lists an instance its pings oldest first, within a range of days', async () => {
      const store = await fresh()
      const days = ['2026-11-20', '2026-11-03', '2026-11-26', '2026-10-31']
      for (const day of days) await store.insertPing(samplePing('acme', day), at)
      await store.insertPing(samplePing('globex', '2026-11-21'), at)
      const listed = async (range?: { from?: string; to?: string }) =>
        (await store.pings('acme', range)).map(entry => entry.ping.day)
      expect(await listed()).toEqual([...days].sort())
      expect(await listed({ from: '2026-11-03', to: '2026-11-20' })).toEqual([
        '2026-11-03',
        '2026-11-20',
      ])
      expect(await listed({ from: '2026-11-04' })).toEqual(['2026-11-20', '2026-11-26'])
      expect(await listed({ to: '2026-11-02' })).toEqual(['2026-10-31'])
      expect(await store.pings('initech')).toEqual([])
    })

    /** Instances 0…7, each pinging on some of 30 days; counts past 2^31, as a ping may hold. */
    const plantMany = async (store: GatewayPingStore) => {
      const planted: Ping[] = []
      for (let n = 0; n < 8; n++) {
        for (let d = 0; d < 30; d++) {
          if ((n * 5 + d * 3) % 4 === 0) continue
          const dau = n * 100 + d
          const mau = n === 7 ? 2 ** 40 + d : dau * 3 + 7
          planted.push(
            samplePing(`instance-${n}`, formatDay(firstDay + d), { dau, wau: dau * 2 + 1, mau }),
          )
        }
      }
      // Stored in no particular order: the answer's order is the store's.
      for (const ping of [...planted].reverse()) await store.insertPing(ping, at)
      return planted
    }

    it(
      "sums every instance's active users of each day of a window, as their pings counted them",
      async () => {
        const store = await fresh()
        const planted = await plantMany(store)
        for (const [from, to] of [
          [-5, 40],
          [0, 29],
          [3, 3],
          [10, 17],
          [29, 35],
          [-5, -1],
          [12, 11],
        ] as const) {
          const [first, last] = [formatDay(firstDay + from), formatDay(firstDay + to)]
          expect({ first, last, rows: await store.activeUsersByDay(first, last) }).toEqual({
            first,
            last,
            rows: activeUsersByDayOf(planted, first, last),
          })
        }
      },
      heavy,
    )

    it(
      'gives the active users of the pings named, in the order asked, none for a day without',
      async () => {
        const store = await fresh()
        const planted = await plantMany(store)
        const keys = everyPingKey(planted)
        const found = await store.pingActiveUsers(keys)
        expect(found).toEqual(pingActiveUsersOf(planted, keys))
        // Some keys name no ping (an instance's day off, an instance that sent none).
        expect(found.length).toBeLessThan(keys.length)
        const twice = [keys[1], keys[0], keys[1]].filter(key => key !== undefined)
        expect(await store.pingActiveUsers(twice)).toEqual(pingActiveUsersOf(planted, twice))
        expect(await store.pingActiveUsers([])).toEqual([])
      },
      heavy,
    )

    it(
      'gives the latest ping of each instance up to a day',
      async () => {
        const store = await fresh()
        const planted: [string, string, number][] = []
        // Instances 0…19, each pinging on some of 40 days, a few of them only late.
        for (let n = 0; n < 20; n++) {
          for (let d = 0; d < 40; d++) {
            if ((n * 7 + d * 3) % 5 === 0 || (n >= 17 && d < 25)) continue
            planted.push([`instance-${String(n).padStart(2, '0')}`, formatDay(firstDay + d), n + d])
          }
        }
        await Promise.all(
          planted.map(([instance, day, dau]) =>
            store.insertPing(samplePing(instance, day, { dau, wau: dau, mau: dau }), at),
          ),
        )
        for (const d of [-1, 0, 10, 24, 25, 39, 80]) {
          const day = formatDay(firstDay + d)
          const expected = new Map<string, number>()
          for (const [instance, pinged, dau] of planted) {
            if (
              pinged <= day &&
              !planted.some(([i, other]) => i === instance && other > pinged && other <= day)
            ) {
              expected.set(instance, dau)
            }
          }
          const latest = await store.latestPings(day)
          expect({
            day,
            latest: latest.map(entry => [entry.ping.instance, entry.ping.dau]),
          }).toEqual({
            day,
            latest: [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
          })
        }
      },
      heavy,
    )

    it('prunes the pings of days before a day', async () => {
      const store = await fresh()
      for (const day of ['2026-10-01', '2026-10-02', '2026-10-03']) {
        await store.insertPing(samplePing('acme', day), at)
        await store.insertPing(samplePing('globex', day), at)
      }
      expect(await store.prunePings('2026-10-03')).toBe(4)
      expect(await store.activeUsersByDay('2026-01-01', '2026-12-31')).toEqual([
        { day: '2026-10-03', dau: 6, wau: 10, mau: 16 },
      ])
      expect(
        await store.pingActiveUsers([
          { instance: 'acme', day: '2026-10-02' },
          { instance: 'acme', day: '2026-10-03' },
        ]),
      ).toEqual([{ instance: 'acme', day: '2026-10-03', dau: 3, wau: 5, mau: 8 }])
      expect((await store.pings('acme')).map(entry => entry.ping.day)).toEqual(['2026-10-03'])
    })
  })
}
