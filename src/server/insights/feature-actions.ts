import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { FeatureActionsAnswer } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

// From the user-days' rows: each holds one user's events of one feature and action on a day,
// so the sum is the events and the distinct user ids are the users, per action and per
// feature alike. The rows of a window are read once a day by the ping, never per page view.
const byAction = `
  SELECT feature, action, sum(events) AS events, count(DISTINCT user_id) AS users
  FROM usage_daily WHERE day >= @from AND day <= @to
  GROUP BY feature, action`

const byFeature = `
  SELECT feature, sum(events) AS events, count(DISTINCT user_id) AS users
  FROM usage_daily WHERE day >= @from AND day <= @to
  GROUP BY feature`

export const featureActionsSql: InsightsSql = { sqlite: byAction, postgres: byAction }
export const featureTotalsSql: InsightsSql = { sqlite: byFeature, postgres: byFeature }

/** Byte order, whatever the database's collation: names are ASCII (the event's name rule). */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * **feature actions** in a window: for each feature and action, its events and its distinct
 * users; for each feature, all its actions together, its events and its distinct users, a
 * user who used several of its actions counted once. What the daily ping reports, for its
 * day and for the 30 days ending it.
 */
export async function featureActions(
  store: InsightsStore,
  { from, to }: WindowParameters,
): Promise<FeatureActionsAnswer> {
  const [actionRows, featureRows] = await Promise.all([
    store.query(featureActionsSql, { from, to }),
    store.query(featureTotalsSql, { from, to }),
  ])
  const actions = actionRows.map(row => ({
    feature: String(row.feature),
    action: String(row.action),
    events: countOf(row, 'events'),
    users: countOf(row, 'users'),
  }))
  const features = featureRows.map(row => ({
    feature: String(row.feature),
    events: countOf(row, 'events'),
    users: countOf(row, 'users'),
  }))
  return {
    actions: actions.sort((a, b) => byName(a.feature, b.feature) || byName(a.action, b.action)),
    features: features.sort((a, b) => byName(a.feature, b.feature)),
  }
}
