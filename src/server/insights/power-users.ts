import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { PowerUsersAnswer } from './answers.js'
import type { PowerUsersParameters } from './parameters.js'
import { countOf } from './read.js'

const sql = `
  SELECT days, count(*) AS users FROM (
    SELECT user_id, count(*) AS days FROM active_days
    WHERE day > @at - 30 AND day <= @at GROUP BY user_id
  ) per_user
  GROUP BY days`

export const powerUsersSql: InsightsSql = { sqlite: sql, postgres: sql }

/**
 * **activity histogram** at D: for d = 1 … 30, the users active on exactly d of the 30 days
 * ending at D. A **power user** is active on at least `minDays` of them (default 10).
 */
export async function powerUsers(
  store: InsightsStore,
  { at, minDays }: PowerUsersParameters,
): Promise<PowerUsersAnswer> {
  const rows = await store.query(powerUsersSql, { at })
  const byDays = new Map(rows.map(row => [countOf(row, 'days'), countOf(row, 'users')]))
  const histogram = Array.from({ length: 30 }, (_, index) => ({
    days: index + 1,
    users: byDays.get(index + 1) ?? 0,
  }))
  const power = histogram.filter(entry => entry.days >= minDays)
  return { histogram, powerUsers: power.reduce((sum, entry) => sum + entry.users, 0) }
}
