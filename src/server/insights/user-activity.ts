import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { UserActivityAnswer } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

const byFeature = `
  SELECT feature, sum(events) AS events, count(DISTINCT day) AS active_days FROM usage_daily
  WHERE user_id = @user_id AND day >= @from AND day <= @to
  GROUP BY feature`

const activeDays = `
  SELECT count(*) AS active_days FROM active_days
  WHERE user_id = @user_id AND day >= @from AND day <= @to`

export const userActivitySql: InsightsSql = { sqlite: byFeature, postgres: byFeature }
export const userActiveDaysSql: InsightsSql = { sqlite: activeDays, postgres: activeDays }

export interface UserActivityParameters extends WindowParameters {
  /** The numeric user id (what `tally dump` writes as `userId`). */
  userId: number
}

/**
 * **user activity** in a window: for one user, each feature's events and the days on which
 * the user used it; `activeDays`: the days on which the user was active at all. Read from the
 * daily rollups, so a window reaches back as far as they are kept (400 days).
 */
export async function userActivity(
  store: InsightsStore,
  { userId, from, to }: UserActivityParameters,
): Promise<UserActivityAnswer> {
  const [rows, [active]] = await Promise.all([
    store.query(userActivitySql, { user_id: userId, from, to }),
    store.query(userActiveDaysSql, { user_id: userId, from, to }),
  ])
  const features = rows.map(row => ({
    feature: String(row.feature),
    events: countOf(row, 'events'),
    activeDays: countOf(row, 'active_days'),
  }))
  features.sort(
    (a, b) => b.events - a.events || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0),
  )
  return { userId, activeDays: countOf(active, 'active_days'), features }
}
