import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { RetentionAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { WeeksParameters } from './parameters.js'
import { countOf } from './read.js'

// Weeks count back from D: week k holds D−7k−6 … D−7k, a cohort the users first active in one.
const cohorts = `
  WITH cohorts AS (
    SELECT user_id, (@at - day) / 7 AS cohort FROM first_days
    WHERE day > @at - 7 * @weeks AND day <= @at
  )`

const sizes = `${cohorts}
  SELECT cohort, count(*) AS size FROM cohorts GROUP BY cohort`

const activity = `${cohorts}
  SELECT cohort, week, count(*) AS users FROM (
    SELECT DISTINCT c.user_id, c.cohort, (@at - a.day) / 7 AS week
    FROM cohorts c JOIN active_days a ON a.user_id = c.user_id
    WHERE a.day > @at - 7 * @weeks AND a.day <= @at
  ) weekly
  GROUP BY cohort, week`

export const retentionSizesSql: InsightsSql = { sqlite: sizes, postgres: sizes }
export const retentionActivitySql: InsightsSql = { sqlite: activity, postgres: activity }

/**
 * **retention**: users grouped by the week of their first activity; for each later week k,
 * how many of the group were active in it. Weeks end at D, D−7, …; one cohort per week asked,
 * oldest first, `active[0]` its first week.
 */
export async function retention(
  store: InsightsStore,
  { at, weeks }: WeeksParameters,
): Promise<RetentionAnswer> {
  const [sizeRows, activityRows] = await Promise.all([
    store.query(retentionSizesSql, { at, weeks }),
    store.query(retentionActivitySql, { at, weeks }),
  ])
  const size = new Map(sizeRows.map(row => [countOf(row, 'cohort'), countOf(row, 'size')]))
  const active = new Map(
    activityRows.map(row => [
      `${countOf(row, 'cohort')}:${countOf(row, 'week')}`,
      countOf(row, 'users'),
    ]),
  )
  return {
    cohorts: Array.from({ length: weeks }, (_, index) => {
      const cohort = weeks - 1 - index
      return {
        start: formatDay(at - 7 * cohort - 6),
        size: size.get(cohort) ?? 0,
        active: Array.from(
          { length: cohort + 1 },
          (_, later) => active.get(`${cohort}:${cohort - later}`) ?? 0,
        ),
      }
    }),
  }
}
