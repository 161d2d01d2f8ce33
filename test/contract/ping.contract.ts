import { afterEach, describe, expect, it } from 'vitest'
import { checkPing } from '../../src/protocol/ping.js'
import { buildPing } from '../../src/server/pings/build-ping.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import {
  expectedPing,
  pingDay,
  plantUsage,
  secrets,
  storeUsage,
  stringsIn,
} from '../server/pings/planted-usage.js'

const uses = plantUsage()

/**
 * The daily ping built from a store's insights, held against the planted events: every store
 * with rollups builds the same numbers. `open` and `cleanup` as for `describeStoreContract`.
 */
export function describePingContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  // Each test builds pings of three queries each: bounds for a loaded machine.
  describe(`${name} daily ping`, { timeout: 20_000 }, () => {
    let store: ServerEventStore | undefined
    afterEach(async () => {
      await store?.close()
      store = undefined
      await cleanup()
    })
    const planted = async () => {
      store = await open()
      await store.migrate()
      await storeUsage(store, uses)
      if (store.insights === undefined) throw new Error(`${name} keeps no insights`)
      return { store, insights: store.insights }
    }
    const subject = (day: number) => ({
      instance: 'acme',
      day,
      version: '0.1.0',
      store: 'sqlite' as const,
    })

    it('counts the day, the 30 days ending it and each feature once per user, by UTC day', async () => {
      const { insights } = await planted()
      for (const day of [pingDay, pingDay - 1, pingDay - 29, pingDay + 1]) {
        const ping = await buildPing(insights, subject(day))
        const date = new Date(day * 86_400_000).toISOString().slice(0, 10)
        expect(ping).toEqual({
          id: `acme:${date}`,
          instance: 'acme',
          day: date,
          version: '0.1.0',
          store: 'sqlite',
          ...expectedPing(uses, day),
          stickiness: expect.closeTo(expectedPing(uses, day).stickiness, 12) as number,
        })
      }
    })

    it('holds the edges the history planted', async () => {
      const { insights } = await planted()
      const ping = await buildPing(insights, subject(pingDay))
      const search = ping.featureTotals.find(entry => entry.feature === 'search')
      const actions = ping.features.filter(entry => entry.feature === 'search')
      // Over the day the search actions' users add up to more than the feature's users:
      // edge-a used two of them and counts once.
      expect(actions.reduce((sum, entry) => sum + entry.day.users, 0)).toBeGreaterThan(
        search?.day.users ?? 0,
      )
      // chat.send at the last instant of D-30 alone would leave chat out; nav.open at the
      // first instant of D-29 is in the month.
      const monthOnly = expectedPing(uses, pingDay).features.map(f => `${f.feature}.${f.action}`)
      expect(ping.features.map(f => `${f.feature}.${f.action}`)).toEqual(monthOnly)
    })

    it('passes checkPing and holds no string but its names, version and store kind', async () => {
      const { insights } = await planted()
      const ping = await buildPing(insights, subject(pingDay))
      const wire = JSON.parse(JSON.stringify(ping)) as unknown
      expect(checkPing(wire)).toEqual({ ok: true, ping })
      const text = JSON.stringify(ping)
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret)
      const names = new Set(uses.flatMap(use => [use.feature, use.action]))
      const keys = ['id', 'instance', 'day', 'version', 'store', 'dau', 'wau', 'mau']
      const allowed = new Set([
        ...keys,
        ...['stickiness', 'features', 'featureTotals', 'feature', 'action', 'month'],
        ...['events', 'users'],
        ...names,
        ping.id,
        'acme',
        ping.day,
        '0.1.0',
        'sqlite',
      ])
      expect(stringsIn(wire).filter(value => !allowed.has(value))).toEqual([])
    })

    it('is a ping of zeros, still valid, for a day without events', async () => {
      const { insights } = await planted()
      const ping = await buildPing(insights, subject(pingDay + 60))
      expect(ping).toMatchObject({ dau: 0, wau: 0, mau: 0, stickiness: 0, features: [] })
      expect(checkPing(JSON.parse(JSON.stringify(ping))).ok).toBe(true)
    })
  })
}
