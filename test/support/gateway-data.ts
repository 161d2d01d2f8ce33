import { expect } from 'vitest'
import {
  emptyAllowlist,
  redactForExport,
  type ExportedEvent,
} from '../../src/protocol/export-redaction.js'
import { pingId, type Ping } from '../../src/protocol/ping.js'
import type { GatewayPingStore } from '../../src/server/gateway/gateway-ping-store.js'
import { ingested } from './server-events.js'

/** An event as an instance exports it (full mode, so privateMetadata travels as stored). */
export function exportedEvent(options: Parameters<typeof ingested>[0] = {}): ExportedEvent {
  const result = redactForExport(ingested(options), 'full', emptyAllowlist)
  if (!result) throw new Error('full mode exports')
  return result.exported
}

/** A valid ping of `instance` for `day`; the figures can be chosen. */
export function samplePing(instance: string, day: string, overrides: Partial<Ping> = {}): Ping {
  return {
    id: pingId(instance, day),
    instance,
    day,
    version: '1.4.0',
    store: 'sqlite',
    dau: 3,
    wau: 5,
    mau: 8,
    stickiness: 0.25,
    features: [
      {
        feature: 'search',
        action: 'submitted',
        day: { events: 12, users: 3 },
        month: { events: 200, users: 8 },
      },
    ],
    featureTotals: [
      { feature: 'search', day: { events: 12, users: 3 }, month: { events: 200, users: 8 } },
    ],
    ...overrides,
  }
}

/** The oracle of `activeUsersByDay`: each day's sums over the pings of days `from` to `to`. */
export function activeUsersByDayOf(pings: readonly Ping[], from: string, to: string) {
  const days = [...new Set(pings.map(ping => ping.day))]
    .filter(day => day >= from && day <= to)
    .sort()
  return days.map(day => {
    const ofDay = pings.filter(ping => ping.day === day)
    const sum = (key: 'dau' | 'wau' | 'mau') => ofDay.reduce((total, ping) => total + ping[key], 0)
    return { day, dau: sum('dau'), wau: sum('wau'), mau: sum('mau') }
  })
}

/** The oracle of `pingActiveUsers`: for each key naming one of `pings`, its counts. */
export function pingActiveUsersOf(
  pings: readonly Ping[],
  keys: readonly { instance: string; day: string }[],
) {
  return keys.flatMap(({ instance, day }) =>
    pings
      .filter(ping => ping.instance === instance && ping.day === day)
      .map(({ dau, wau, mau }) => ({ instance, day, dau, wau, mau })),
  )
}

/**
 * Every instance of `pings` (and one that sent none) on every day one of them pinged, each
 * instance's days in reverse, so that a key names a ping or not and the order is not the store's.
 */
export function everyPingKey(pings: readonly Ping[]) {
  const days = [...new Set(pings.map(ping => ping.day))].sort().reverse()
  const instances = [...new Set(pings.map(ping => ping.instance)), 'umbrella']
  return instances.flatMap(instance => days.map(day => ({ instance, day })))
}

/**
 * Pings of three instances over ten days of November 2026, with gaps and counts that differ by
 * instance and day, one past 2^31 (a ping's counts are any safe integer).
 */
export function variedPings(): Ping[] {
  const pings: Ping[] = []
  for (const [n, instance] of ['acme', 'globex', 'initech'].entries()) {
    for (let day = 1; day <= 10; day += 1) {
      if ((n + day) % 4 === 0) continue
      const dau = n * 10 + day
      pings.push(
        samplePing(instance, `2026-11-${String(day).padStart(2, '0')}`, {
          dau,
          wau: dau * 2 + n,
          mau: instance === 'initech' ? 2 ** 33 + day : dau * 5,
        }),
      )
    }
  }
  return pings
}

/**
 * That `store` answers about `pings` (the varied pings of November 2026, and any added) as the
 * pings themselves say: the sums by day over a few windows, every key of their days, and acme's
 * pings whole. What a migrated catalog must show.
 */
export async function expectAnswersOf(store: GatewayPingStore, pings: readonly Ping[]) {
  for (const [from, to] of [
    ['2026-11-01', '2026-11-11'],
    ['2026-11-03', '2026-11-03'],
    ['2026-11-04', '2026-11-08'],
  ] as const) {
    expect({ from, to, sums: await store.activeUsersByDay(from, to) }).toEqual({
      from,
      to,
      sums: activeUsersByDayOf(pings, from, to),
    })
  }
  const keys = everyPingKey(pings)
  expect(await store.pingActiveUsers(keys)).toEqual(pingActiveUsersOf(pings, keys))
  expect((await store.pings('acme')).map(stored => stored.ping)).toEqual(
    pings.filter(ping => ping.instance === 'acme'),
  )
}
