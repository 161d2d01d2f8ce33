import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { LifecycleAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { WeeksParameters } from './parameters.js'
import { countOf } from './read.js'

// One row per user active in the weeks asked or the one before the oldest: bit k of `weeks`
// set when the user was active in week k (D−7k−6 … D−7k), and their first active day. One
// grouped pass over the window's user-days; 53 bits at most, exact in a double.
const sql = `
  SELECT a.user_id, sum(DISTINCT CAST(1 AS BIGINT) << ((@at - a.day) / 7)) AS weeks,
    min(f.day) AS first_day
  FROM active_days a JOIN first_days f ON f.user_id = a.user_id
  WHERE a.day > @at - 7 * (@weeks + 1) AND a.day <= @at
  GROUP BY a.user_id`

export const lifecycleSql: InsightsSql = { sqlite: sql, postgres: sql }

/** Whether bit `week` of `mask` is set; JavaScript's bitwise operators stop at 32 bits. */
const activeIn = (mask: number, week: number) => Math.floor(mask / 2 ** week) % 2 === 1

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
  const answer = Array.from({ length: weeks }, (_, index) => {
    const week = weeks - 1 - index
    return {
      start: formatDay(at - 7 * week - 6),
      new: 0,
      returning: 0,
      resurrecting: 0,
      dormant: 0,
    }
  })
  for (const row of rows) {
    const mask = countOf(row, 'weeks')
    const firstDay = countOf(row, 'first_day')
    for (let week = 0; week < weeks; week += 1) {
      const counts = answer[weeks - 1 - week]
      if (counts === undefined) continue
      const now = activeIn(mask, week)
      const before = activeIn(mask, week + 1)
      if (now && firstDay > at - 7 * week - 7) counts.new += 1
      else if (now && before) counts.returning += 1
      else if (now) counts.resurrecting += 1
      else if (before) counts.dormant += 1
    }
  }
  return { weeks: answer }
}
