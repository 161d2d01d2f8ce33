import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { FeaturesAnswer, FeatureUsage } from './answers.js'
import { bitCount, blockParameters, daysInWindow } from './day-blocks.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

// Users and user-days from the per-block bitmasks (a few rows per user and feature, whatever
// the events), events from the per-day totals.
// SQLite would otherwise copy the masking expression into each use of `used`, computing it
// twice a row; a LIMIT keeps the inner query a co-routine that computes it once.
const unflattened: InsightsSql = { sqlite: 'LIMIT -1', postgres: '' }

const usage = (dialect: keyof InsightsSql) => `
  SELECT feature, count(DISTINCT user_id) AS users, sum(${bitCount[dialect]('used')}) AS user_days
  FROM (
    SELECT feature, user_id, ${daysInWindow[dialect]} AS used FROM feature_blocks
    WHERE block >= @from_block AND block <= @to_block ${unflattened[dialect]}
  ) in_window
  WHERE used <> 0
  GROUP BY feature`

const totals = `
  SELECT feature, sum(events) AS events FROM events_daily
  WHERE day >= @from AND day <= @to GROUP BY feature`

const activeUsers = `
  SELECT count(DISTINCT user_id) AS users FROM active_days WHERE day >= @from AND day <= @to`

export const featuresSql: InsightsSql = { sqlite: usage('sqlite'), postgres: usage('postgres') }
export const featuresEventsSql: InsightsSql = { sqlite: totals, postgres: totals }
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
  const [rows, eventRows, [active]] = await Promise.all([
    store.query(featuresSql, blockParameters(from, to)),
    store.query(featuresEventsSql, { from, to }),
    store.query(featuresActiveUsersSql, { from, to }),
  ])
  const events = new Map(eventRows.map(row => [String(row.feature), countOf(row, 'events')]))
  const usage = rows.map(row => {
    const users = countOf(row, 'users')
    return {
      feature: String(row.feature),
      events: events.get(String(row.feature)) ?? 0,
      users,
      activeDaysPerUser: countOf(row, 'user_days') / users,
    }
  })
  return { activeUsers: countOf(active, 'users'), features: usage.sort(stickiestFirst) }
}
