import { describe, expect, it } from 'vitest'
import type { PingRecord } from '../../src/server/stores/server-event-store.js'
import { at, type ContractStores } from './fixtures.js'

const record = (day: number, overrides: Partial<PingRecord> = {}): PingRecord => ({
  day,
  status: 'sent',
  body: JSON.stringify({ day }),
  reason: null,
  settledAt: at(day),
  ...overrides,
})

/** The ping log: which days' pings the gateway answered, one record a day. */
export function describePingLogContract({ openStore, fresh }: ContractStores): void {
  describe('ping log', () => {
    it('lists the days recorded from a day on, ascending, to every store of the database', async () => {
      const store = await fresh()
      for (const day of [20_420, 20_418, 20_421, 20_415]) await store.recordPing(record(day))
      const other = await openStore()
      expect(await other.recordedPingDays(20_418)).toEqual([20_418, 20_420, 20_421])
      expect(await other.recordedPingDays(0)).toEqual([20_415, 20_418, 20_420, 20_421])
      expect(await other.recordedPingDays(20_422)).toEqual([])
    })

    it('keeps the first record of a day, body, status, reason and time as given', async () => {
      const store = await fresh()
      const refused = record(20_400, {
        status: 'refused',
        reason: 'ping.version: must be a version such as 1.2.3',
        body: '{"id":"acme:2025-11-28","features":[]}',
      })
      await store.recordPing(refused)
      await store.recordPing(record(20_400, { body: '{"second":true}' }))
      expect(await store.pingLog(10)).toEqual([refused])
    })

    it('lists the latest records first, at most as many as asked', async () => {
      const store = await fresh()
      for (const day of [3, 1, 4, 2]) await store.recordPing(record(20_000 + day))
      const log = await store.pingLog(3)
      expect(log.map(entry => entry.day)).toEqual([20_004, 20_003, 20_002])
      expect(log[0]?.settledAt).toEqual(at(20_004))
      expect(await store.pingLog(0)).toEqual([])
    })

    it('prunes the days before a day', async () => {
      const store = await fresh()
      for (const day of [10, 11, 12, 13]) await store.recordPing(record(20_000 + day))
      expect(await store.prunePingLog(20_012)).toBe(2)
      expect(await store.recordedPingDays(0)).toEqual([20_012, 20_013])
      expect(await store.prunePingLog(20_012)).toBe(0)
    })
  })
}
