import { dayMs, type Planted } from './insights-history.js'

/*
 * Each question answered from the planted events in the obvious way, from the definitions.
 * Days are UTC days since the epoch.
 */

export const dayOf = (event: Planted): number => Math.floor(event.ms / dayMs)

const users = (events: readonly Planted[]) => new Set(events.map(event => event.userId))

const within = (events: readonly Planted[], from: number, to: number) =>
  events.filter(event => dayOf(event) >= from && dayOf(event) <= to)

const activeDays = (events: readonly Planted[], userId: number, from: number, to: number) =>
  new Set(
    within(events, from, to)
      .filter(e => e.userId === userId)
      .map(dayOf),
  ).size

export function oracleActiveUsers(events: readonly Planted[], at: number) {
  const active = (days: number) => users(within(events, at - days + 1, at)).size
  let dailySum = 0
  for (let day = at - 29; day <= at; day += 1) dailySum += users(within(events, day, day)).size
  const mau = active(30)
  return { dau: active(1), wau: active(7), mau, stickiness: mau === 0 ? 0 : dailySum / 30 / mau }
}

export function oracleHistogram(events: readonly Planted[], at: number): number[] {
  const histogram = Array.from({ length: 30 }, () => 0)
  for (const userId of users(within(events, at - 29, at))) {
    const days = activeDays(events, userId, at - 29, at)
    histogram[days - 1] = (histogram[days - 1] ?? 0) + 1
  }
  return histogram
}
