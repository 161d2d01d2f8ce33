import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { LifecycleAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { WeeksParameters } from './parameters.js'
import { countOf } from './read.js'

// Each user once per week they were active in, week k holding D−7k−6 … D−7k, for the weeks
// asked and the one before the oldest (to tell returning from resurrecting).
const activeWeeks = `
  WITH active AS (
    SELECT DISTINCT user_id, (@at - day) / 7 AS week FROM active_days
    WHERE day > @at - 7 * (@weeks + 1) AND day <= @at
  )`

const active = `${activeWeeks}
  SELECT a.week,
    sum(CASE WHEN f.day > @at - 7 * a.week - 7 THEN 1 ELSE 0 END) AS new_users,
    sum(CASE WHEN f.day <= @at - 7 * a.week - 7 AND p.user_id IS NOT NULL THEN 1 ELSE 0 END)
      AS returning_users,
    sum(CASE WHEN f.day <= @at - 7 * a.week - 7 AND p.user_id IS NULL THEN 1 ELSE 0 END)
      AS resurrecting_users
  FROM active a
  JOIN first_days f ON f.user_id = a.user_id
  LEFT JOIN active p ON p.user_id = a.user_id AND p.week = a.week + 1
  WHERE a.week < @weeks
  GROUP BY a.week`

const dormant = `${activeWeeks}
  SELECT p.week - 1 AS week, count(*) AS dormant_users FROM active p
  LEFT JOIN active a ON a.user_id = p.user_id AND a.week = p.week - 1
  WHERE p.week >= 1 AND a.user_id IS NULL
  GROUP BY p.week`

export const lifecycleActiveSql: InsightsSql = { sqlite: active, postgres: active }
export const lifecycleDormantSql: InsightsSql = { sqlite: dormant, postgres: dormant }

/**
 * **lifecycle** by week (week k ends at D−7k): *new* (first active ever in that week),
 * *returning* (active in it and the week before, not new), *resurrecting* (active in it, not
 * the week before, not new), *dormant* (active the week before, not in it). "Ever" reaches as
 * far back as the store has kept events since version 2 of its schema.
 */
export async function lifecycle(
  store: InsightsStore,
  { at, weeks }: WeeksParameters,
): Promise<LifecycleAnswer> {
  const [activeRows, dormantRows] = await Promise.all([
    store.query(lifecycleActiveSql, { at, weeks }),
    store.query(lifecycleDormantSql, { at, weeks }),
  ])
  const byWeek = new Map(activeRows.map(row => [countOf(row, 'week'), row]))
  const dormantByWeek = new Map(
    dormantRows.map(row => [countOf(row, 'week'), countOf(row, 'dormant_users')]),
  )
  return {
    weeks: Array.from({ length: weeks }, (_, index) => {
      const week = weeks - 1 - index
      const row = byWeek.get(week)
      return {
        start: formatDay(at - 7 * week - 6),
        new: countOf(row, 'new_users'),
        returning: countOf(row, 'returning_users'),
        resurrecting: countOf(row, 'resurrecting_users'),
        dormant: dormantByWeek.get(week) ?? 0,
      }
    }),
  }
}
