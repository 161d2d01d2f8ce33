import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { FeaturesAnswer, FeatureUsage } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

// The inner grouping follows the rollup's key (day, user_id, feature, …), so it reads the
// window in key order without sorting it.
const byFeature = `
  SELECT feature, sum(events) AS events, count(DISTINCT user_id) AS users, count(*) AS user_days
  FROM (
    SELECT feature, user_id, day, sum(events) AS events FROM usage_daily
    WHERE day >= @from AND day <= @to GROUP BY day, user_id, feature
  ) per_day
  GROUP BY feature`

const activeUsers = `
  SELECT count(DISTINCT user_id) AS users FROM active_days WHERE day >= @from AND day <= @to`

export const featuresSql: InsightsSql = { sqlite: byFeature, postgres: byFeature }
export const featuresActiveUsersSql: InsightsSql = { sqlite: activeUsers, postgres: activeUsers }

const stickiestFirst = (a: FeatureUsage, b: FeatureUsage) =>
  b.activeDaysPerUser - a.activeDaysPerUser ||
  b.events - a.events ||
  (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0)

/**
 * **features** in a window: for each feature, its events, its users, and `activeDaysPerUser`
 * = the mean, over its users, of the days on which each used it. The stickiest feature has
 * the highest `activeDaysPerUser`. `activeUsers`: the distinct users active in the window.
 */
export async function features(
  store: InsightsStore,
  { from, to }: WindowParameters,
): Promise<FeaturesAnswer> {
  const [rows, [active]] = await Promise.all([
    store.query(featuresSql, { from, to }),
    store.query(featuresActiveUsersSql, { from, to }),
  ])
  const usage = rows.map(row => {
    const users = countOf(row, 'users')
    return {
      feature: String(row.feature),
      events: countOf(row, 'events'),
      users,
      activeDaysPerUser: countOf(row, 'user_days') / users,
    }
  })
  return { activeUsers: countOf(active, 'users'), features: usage.sort(stickiestFirst) }
}
