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

export interface EventsQuestion {
  from: number
  to: number
  feature?: string
  action?: string
  userId?: number
  where: { key: string; value: number }[]
}

export function oracleEvents(events: readonly Planted[], question: EventsQuestion) {
  const matching = within(events, question.from, question.to).filter(
    event =>
      (question.feature === undefined || event.feature === question.feature) &&
      (question.action === undefined || event.action === question.action) &&
      (question.userId === undefined || event.userId === question.userId) &&
      question.where.every(({ key, value }) => event.metadata[key] === value),
  )
  return { events: matching.length, users: users(matching).size }
}

export function oracleSessions(events: readonly Planted[], from: number, to: number) {
  const featuresBySession = new Map<string, Set<string>>()
  for (const event of within(events, from, to)) {
    const seen = featuresBySession.get(event.sessionId) ?? new Set()
    seen.add(event.feature)
    featuresBySession.set(event.sessionId, seen)
  }
  const multiFeature = [...featuresBySession.values()].filter(seen => seen.size >= 2).length
  return { sessions: featuresBySession.size, multiFeature }
}

export function oracleFeatures(events: readonly Planted[], from: number, to: number) {
  const inWindow = within(events, from, to)
  const names = [...new Set(inWindow.map(event => event.feature))]
  const usage = names.map(feature => {
    const used = inWindow.filter(event => event.feature === feature)
    const userIds = [...users(used)]
    const days = userIds.map(
      userId => new Set(used.filter(event => event.userId === userId).map(dayOf)).size,
    )
    return {
      feature,
      events: used.length,
      users: userIds.length,
      activeDaysPerUser: days.reduce((a, b) => a + b, 0) / userIds.length,
    }
  })
  usage.sort(
    (a, b) =>
      b.activeDaysPerUser - a.activeDaysPerUser ||
      b.events - a.events ||
      (a.feature < b.feature ? -1 : 1),
  )
  return { activeUsers: users(inWindow).size, features: usage }
}

export function oracleAtRisk(events: readonly Planted[], at: number) {
  const recent = users(within(events, at - 13, at))
  const atRisk = [...users(within(events, at - 41, at - 14))]
    .filter(userId => !recent.has(userId))
    .map(userId => {
      const days = within(events, at - 41, at - 14)
        .filter(event => event.userId === userId)
        .map(dayOf)
      return { userId, activeDays: new Set(days).size, lastActive: Math.max(...days) }
    })
    .filter(user => user.activeDays >= 4)
  return atRisk.sort((a, b) => b.activeDays - a.activeDays || a.userId - b.userId)
}

const firstDays = new WeakMap<readonly Planted[], Map<number, number>>()

/** The user's first active day ever; worked out once per history, the oracle being asked often. */
function firstActive(events: readonly Planted[], userId: number): number {
  let first = firstDays.get(events)
  if (first === undefined) {
    first = new Map()
    for (const event of events) {
      first.set(event.userId, Math.min(first.get(event.userId) ?? Infinity, dayOf(event)))
    }
    firstDays.set(events, first)
  }
  return first.get(userId) ?? Infinity
}

/** Week k ends at `at` − 7k. */
const activeInWeek = (events: readonly Planted[], at: number, week: number) =>
  users(within(events, at - 7 * week - 6, at - 7 * week))

export function oracleLifecycle(events: readonly Planted[], at: number, weeks: number) {
  const result = []
  for (let week = weeks - 1; week >= 0; week -= 1) {
    const start = at - 7 * week - 6
    const now = activeInWeek(events, at, week)
    const before = activeInWeek(events, at, week + 1)
    const isNew = (userId: number) => firstActive(events, userId) >= start
    result.push({
      start,
      new: [...now].filter(isNew).length,
      returning: [...now].filter(u => !isNew(u) && before.has(u)).length,
      resurrecting: [...now].filter(u => !isNew(u) && !before.has(u)).length,
      dormant: [...before].filter(u => !now.has(u)).length,
    })
  }
  return result
}

export function oracleRetention(events: readonly Planted[], at: number, weeks: number) {
  const result = []
  for (let week = weeks - 1; week >= 0; week -= 1) {
    const start = at - 7 * week - 6
    const cohort = [...users(events)].filter(userId => {
      const first = firstActive(events, userId)
      return first >= start && first <= start + 6
    })
    const active = []
    for (let later = 0; later <= week; later += 1) {
      const then = activeInWeek(events, at, week - later)
      active.push(cohort.filter(userId => then.has(userId)).length)
    }
    result.push({ start, size: cohort.length, active })
  }
  return result
}
