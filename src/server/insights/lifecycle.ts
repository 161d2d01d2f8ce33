import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { LifecycleAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { WeeksParameters } from './parameters.js'
import { countOf } from './read.js'

// Each user once per week they were active in, week k holding D−7k−6 … D−7k, for the weeks
// asked and the one before the oldest (to tell returning from resurrecting). Weeks count back,
// so in ascending order a row's `older` neighbour is the user's previous active week and its
// `newer` one the next: one pass over the user-weeks, no self-join.
const sql = `
  WITH active AS (
    SELECT DISTINCT user_id, (@at - day) / 7 AS week FROM active_days
    WHERE day > @at - 7 * (@weeks + 1) AND day <= @at
  ), flagged AS (
    SELECT a.week, f.day AS first_day,
      lead(a.week) OVER (PARTITION BY a.user_id ORDER BY a.week) AS older,
      lag(a.week) OVER (PARTITION BY a.user_id ORDER BY a.week) AS newer
    FROM active a JOIN first_days f ON f.user_id = a.user_id
  )
  SELECT week, kind, count(*) AS users FROM (
    SELECT week,
      CASE WHEN first_day > @at - 7 * week - 7 THEN 'new'
           WHEN older = week + 1 THEN 'returning'
           ELSE 'resurrecting' END AS kind
    FROM flagged WHERE week < @weeks
    UNION ALL
    SELECT week - 1 AS week, 'dormant' AS kind FROM flagged
    WHERE week >= 1 AND (newer IS NULL OR newer < week - 1)
  ) kinds
  GROUP BY week, kind`

export const lifecycleSql: InsightsSql = { sqlite: sql, postgres: sql }

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
  const rows = await store.query(lifecycleSql, { at, weeks })
  const count = new Map(
    rows.map(row => [`${countOf(row, 'week')}:${String(row.kind)}`, countOf(row, 'users')]),
  )
  const of = (week: number, kind: string) => count.get(`${week}:${kind}`) ?? 0
  return {
    weeks: Array.from({ length: weeks }, (_, index) => {
      const week = weeks - 1 - index
      return {
        start: formatDay(at - 7 * week - 6),
        new: of(week, 'new'),
        returning: of(week, 'returning'),
        resurrecting: of(week, 'resurrecting'),
        dormant: of(week, 'dormant'),
      }
    }),
  }
}
