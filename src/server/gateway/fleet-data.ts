import { parseSpan, type UsageSpan } from '../admin/usage-data.js'
import { dayOf, formatDay } from '../insights/days.js'
import type { ParameterSource } from '../insights/parameters.js'
import { fleetOf, type FleetAnswer } from './fleet.js'
import { fellInstances, lookbackDay, quietAfterDays, type FellInstance } from './fleet-activity.js'
import type { GatewayPingStore } from './gateway-ping-store.js'

/** Instances the per-instance chart draws: the most weekly users first. */
export const maxChartedInstances = 8

/** What the fleet page reads from a gateway store. */
export type FleetPageSource = Pick<
  GatewayPingStore,
  'latestPings' | 'activeUsersByDay' | 'pingActiveUsers'
>

/** Active users on each day of the page's window. */
export interface ActiveSeries {
  dau: number[]
  wau: number[]
  mau: number[]
}

/** Everything the fleet page shows. */
export interface FleetPageData {
  computedAt: Date
  /** The UTC day of `computedAt`: `answer` is the fleet at this day. */
  today: number
  /** The window of the charts: its days end yesterday, the last day a ping can be of. */
  span: UsageSpan
  /** Exactly what `GET /v1/fleet` answers for today. */
  answer: FleetAnswer
  /** When the gateway received each instance's latest ping. */
  receivedAt: ReadonlyMap<string, Date>
  /** Instances whose latest ping is of a day from today − 2 on: not quiet. */
  reporting: number
  /** The window's days, `YYYY-MM-DD`. */
  days: string[]
  /** Each day, the sum over instances of their ping of that day (an instance without one adds 0). */
  total: ActiveSeries
  /** The instances with the most weekly users in their latest ping, each one's wau by day. */
  perInstance: { instance: string; wau: number[] }[]
  fell: FellInstance[]
}

/**
 * Reads the fleet page's figures: the fleet at today, and the active users of the window's pings
 * for the charts and of the 28 days before the latest pings for the instances whose activity
 * fell. `?window=7|30|90` as on the usage page; throws InvalidParameterError for anything else.
 */
export async function readFleetPage(
  store: FleetPageSource,
  source: ParameterSource,
  now: Date,
): Promise<FleetPageData> {
  const today = dayOf(now)
  const span = parseSpan(source, today - 1)
  const days = Array.from({ length: span.window }, (_, index) => formatDay(span.from + index))
  const [latest, byDay] = await Promise.all([
    store.latestPings(formatDay(today)),
    store.activeUsersByDay(days[0] ?? '', days.at(-1) ?? ''),
  ])
  const summed = new Map(byDay.map(entry => [entry.day, entry]))
  const series = (key: keyof ActiveSeries) => days.map(day => summed.get(day)?.[key] ?? 0)
  const total: ActiveSeries = { dau: series('dau'), wau: series('wau'), mau: series('mau') }
  const answer = fleetOf(formatDay(today), latest)
  const charted = [...answer.instances]
    .sort((a, b) => b.wau - a.wau || (a.instance < b.instance ? -1 : 1))
    .slice(0, maxChartedInstances)
  // The charted instances' days, and the day each latest ping is compared with.
  const keys = [
    ...charted.flatMap(({ instance }) => days.map(day => ({ instance, day }))),
    ...latest.map(({ ping }) => ({ instance: ping.instance, day: lookbackDay(ping.day) })),
  ]
  const wau = new Map<string, Map<string, number>>()
  for (const entry of await store.pingActiveUsers(keys)) {
    const instanceWau = wau.get(entry.instance) ?? new Map<string, number>()
    wau.set(entry.instance, instanceWau.set(entry.day, entry.wau))
  }
  const wauOf = (instance: string, day: string) => wau.get(instance)?.get(day)
  const reportingFrom = formatDay(today - quietAfterDays)
  return {
    computedAt: now,
    today,
    span,
    answer,
    receivedAt: new Map(latest.map(stored => [stored.ping.instance, stored.receivedAt])),
    reporting: answer.instances.filter(entry => entry.lastPingDay >= reportingFrom).length,
    days,
    total,
    perInstance: charted.map(({ instance }) => ({
      instance,
      wau: days.map(day => wauOf(instance, day) ?? 0),
    })),
    fell: fellInstances(
      latest.map(stored => stored.ping),
      wauOf,
      today,
    ),
  }
}
