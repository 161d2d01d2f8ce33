import { describe, expect, it } from 'vitest'
import type { Ping } from '../../../src/protocol/ping.js'
import { fleet } from '../../../src/server/gateway/fleet.js'
import { fellInstances } from '../../../src/server/gateway/fleet-activity.js'
import { maxChartedInstances, readFleetPage } from '../../../src/server/gateway/fleet-data.js'
import type { ParameterSource } from '../../../src/server/insights/parameters.js'
import { createMemoryPingStore } from '../../support/memory-ping-store.js'
import { dayOfText, dayText, makePing } from '../../support/pings.js'

const start = dayOfText('2026-05-01')
const instances = ['acme', 'globex', 'initech', 'umbrella']
const featureNames = ['blob', 'codeintel', 'notebook', 'search', 'settings']

/** A small seeded generator, so that the plant is the same at every run. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

/** 60 days of pings of four instances, with gaps; umbrella stops after 20 days. */
function plant(): Ping[] {
  const next = random(7)
  const pings: Ping[] = []
  for (const instance of instances) {
    for (let offset = 0; offset < 60; offset += 1) {
      if (next() < 0.2) continue
      if (instance === 'umbrella' && offset > 20) continue
      const dau = Math.floor(next() * 20)
      const wau = dau + Math.floor(next() * 20)
      const mau = wau + Math.floor(next() * 40)
      const features: Record<string, { events: number; users: number }> = {}
      for (const feature of featureNames) {
        if (next() < 0.3) continue
        const users = Math.floor(next() * mau)
        // Some features listed with no events in the month: not used.
        features[feature] = { events: users === 0 ? 0 : users * 3, users }
      }
      pings.push(
        makePing({
          instance,
          day: dayText(start + offset),
          version: `1.${offset % 3}.0`,
          dau,
          wau,
          mau,
          features,
        }),
      )
    }
  }
  return pings
}

describe('the fleet answer', () => {
  it('takes each instance’s latest ping up to the day, and sums feature users over the instances that used it', async () => {
    const planted = plant()
    const store = createMemoryPingStore()
    for (const ping of planted) await store.insertPing(ping, new Date())

    for (const offset of [-1, 0, 10, 20, 35, 59, 80]) {
      const at = dayText(start + offset)
      // The oracle: the latest planted ping of each instance on or before `at`.
      const latest = instances
        .map(instance =>
          planted
            .filter(ping => ping.instance === instance && ping.day <= at)
            .sort((a, b) => (a.day < b.day ? -1 : 1))
            .at(-1),
        )
        .filter((ping): ping is Ping => ping !== undefined)
      const expectedFeatures = featureNames
        .map(feature => {
          const using = latest.filter(ping =>
            ping.featureTotals.some(total => total.feature === feature && total.month.events > 0),
          )
          const users = using
            .map(ping => ping.featureTotals.find(total => total.feature === feature))
            .reduce((sum, total) => sum + (total?.month.users ?? 0), 0)
          return { feature, instances: using.length, users }
        })
        .filter(entry => entry.instances > 0)

      const answer = await fleet(store, at)
      expect(answer.at).toBe(at)
      expect(answer.instances).toEqual(
        latest.map(ping => ({
          instance: ping.instance,
          version: ping.version,
          lastPingDay: ping.day,
          dau: ping.dau,
          wau: ping.wau,
          mau: ping.mau,
          stickiness: ping.stickiness,
        })),
      )
      expect(new Set(answer.features)).toEqual(new Set(expectedFeatures))
      // Most instances first, then most users, then by name.
      for (const [index, entry] of answer.features.entries()) {
        const before = answer.features[index - 1]
        if (before === undefined) continue
        expect(
          before.instances > entry.instances ||
            (before.instances === entry.instances && before.users > entry.users) ||
            (before.instances === entry.instances &&
              before.users === entry.users &&
              before.feature < entry.feature),
        ).toBe(true)
      }
    }
  })

  it('counts the numbers of a hand-made fleet', async () => {
    const store = createMemoryPingStore()
    const ping = (instance: string, day: string, features: Record<string, number>) =>
      makePing({
        instance,
        day,
        dau: 1,
        wau: 2,
        mau: 30,
        features: Object.fromEntries(
          Object.entries(features).map(([name, users]) => [name, { events: users * 2, users }]),
        ),
      })
    await store.insertPing(ping('acme', '2026-06-01', { search: 5, notebook: 1 }), new Date())
    await store.insertPing(ping('acme', '2026-06-02', { search: 7 }), new Date())
    await store.insertPing(ping('globex', '2026-06-01', { search: 3, notebook: 4 }), new Date())
    await store.insertPing(ping('initech', '2026-06-03', { search: 100 }), new Date())

    expect((await fleet(store, '2026-06-02')).features).toEqual([
      { feature: 'search', instances: 2, users: 10 },
      { feature: 'notebook', instances: 1, users: 4 },
    ])
    expect((await fleet(store, '2026-06-01')).features).toEqual([
      { feature: 'search', instances: 2, users: 8 },
      { feature: 'notebook', instances: 2, users: 5 },
    ])
    expect((await fleet(store, '2026-05-31')).instances).toEqual([])
  })
})

describe('the instances whose activity fell', () => {
  const today = dayOfText('2026-07-10')
  const ping = (instance: string, day: string, wau: number) =>
    makePing({ instance, day, dau: 0, wau, mau: wau })

  it('are quiet without a ping of the two days before today, declining at under half their wau of 28 days before', () => {
    const history = [
      ping('quiet', '2026-07-07', 50),
      ping('just-in', '2026-07-08', 50),
      ping('halved', '2026-06-11', 10),
      ping('halved', '2026-07-09', 5),
      ping('fell', '2026-06-11', 10),
      ping('fell', '2026-07-09', 4),
      ping('grew', '2026-06-11', 0),
      ping('grew', '2026-07-09', 0),
      ping('new', '2026-07-09', 1),
    ]
    const latest = [...new Set(history.map(entry => entry.instance))].map(
      instance => history.filter(entry => entry.instance === instance).at(-1) as Ping,
    )
    const wauOf = (instance: string, day: string) =>
      history.find(entry => entry.instance === instance && entry.day === day)?.wau
    expect(fellInstances(latest, wauOf, today)).toEqual([
      { reason: 'quiet', instance: 'quiet', lastPingDay: '2026-07-07' },
      { reason: 'declining', instance: 'fell', lastPingDay: '2026-07-09', wau: 4, wauBefore: 10 },
    ])
  })
})

describe('the fleet page’s figures', () => {
  const windowOf = (window: number): ParameterSource => ({
    get: name => (name === 'window' ? String(window) : undefined),
    all: name => (name === 'window' ? [String(window)] : []),
  })

  it('sum, chart and compare the planted pings’ active users, for each window', async () => {
    // The plant, and hooli, whose wau fell from 100 to 10 twenty days before the end.
    const planted = [
      ...plant(),
      ...Array.from({ length: 60 }, (_, offset) => {
        const wau = offset < 40 ? 100 : 10
        return makePing({ instance: 'hooli', day: dayText(start + offset), dau: 1, wau, mau: wau })
      }),
    ]
    const store = createMemoryPingStore()
    for (const ping of planted) await store.insertPing(ping, new Date())
    const today = start + 60
    const now = new Date(today * 86_400_000 + 12 * 3_600_000)
    const pingOf = (instance: string, day: number) =>
      planted.find(ping => ping.instance === instance && ping.day === dayText(day))
    const latest = [...new Set(planted.map(ping => ping.instance))]
      .sort()
      .map(instance =>
        planted
          .filter(ping => ping.instance === instance)
          .sort((a, b) => (a.day < b.day ? -1 : 1))
          .at(-1),
      )
      .filter((ping): ping is Ping => ping !== undefined)

    for (const window of [7, 30, 90]) {
      const days = Array.from({ length: window }, (_, index) => today - window + index)
      const sum = (key: 'dau' | 'wau' | 'mau') =>
        days.map(day =>
          planted
            .filter(ping => ping.day === dayText(day))
            .reduce((total, ping) => total + ping[key], 0),
        )
      const charted = [...latest]
        .sort((a, b) => b.wau - a.wau || (a.instance < b.instance ? -1 : 1))
        .slice(0, maxChartedInstances)
      const quiet = latest.filter(ping => ping.day < dayText(today - 2))
      const declining = latest.filter(ping => {
        const before = pingOf(ping.instance, dayOfText(ping.day) - 28)?.wau ?? 0
        return !quiet.includes(ping) && ping.wau * 2 < before
      })

      // The plant holds both kinds.
      expect(quiet.map(ping => ping.instance)).toContain('umbrella')
      expect(declining.map(ping => ping.instance)).toContain('hooli')

      const page = await readFleetPage(store, windowOf(window), now)
      expect({ window, days: page.days, total: page.total }).toEqual({
        window,
        days: days.map(dayText),
        total: { dau: sum('dau'), wau: sum('wau'), mau: sum('mau') },
      })
      expect(page.perInstance).toEqual(
        charted.map(({ instance }) => ({
          instance,
          wau: days.map(day => pingOf(instance, day)?.wau ?? 0),
        })),
      )
      expect(page.fell).toEqual([
        ...quiet.map(ping => ({ reason: 'quiet', instance: ping.instance, lastPingDay: ping.day })),
        ...declining.map(ping => ({
          reason: 'declining',
          instance: ping.instance,
          lastPingDay: ping.day,
          wau: ping.wau,
          wauBefore: pingOf(ping.instance, dayOfText(ping.day) - 28)?.wau,
        })),
      ])
    }
  })
})
