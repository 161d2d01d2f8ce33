import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { AtRiskAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { AtParameters } from './parameters.js'
import { countOf } from './read.js'

// The 28 days ending at D−14 are D−41 … D−14; the 14 days ending at D are D−13 … D.
const sql = `
  SELECT user_id, count(*) AS active_days, max(day) AS last_active FROM active_days
  WHERE day > @at - 42 AND day <= @at - 14
    AND user_id NOT IN (SELECT user_id FROM active_days WHERE day > @at - 14 AND day <= @at)
  GROUP BY user_id
  HAVING count(*) >= 4`

export const atRiskSql: InsightsSql = { sqlite: sql, postgres: sql }

/**
 * **at-risk** at D: users active on at least 4 days of the 28 days ending at D−14, and on
 * none of the 14 days ending at D. `activeDays` counts the 28-day window; `lastActive` is the
 * user's last active day (within it, since none came after).
 */
export async function atRisk(store: InsightsStore, { at }: AtParameters): Promise<AtRiskAnswer> {
  const rows = await store.query(atRiskSql, { at })
  const users = rows.map(row => ({
    userId: countOf(row, 'user_id'),
    activeDays: countOf(row, 'active_days'),
    lastActive: formatDay(countOf(row, 'last_active')),
  }))
  users.sort((a, b) => b.activeDays - a.activeDays || a.userId - b.userId)
  return { users }
}
