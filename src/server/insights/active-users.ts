import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { ActiveUsersAnswer } from './answers.js'
import { formatDay } from './days.js'
import type { AtParameters } from './parameters.js'
import { countOf } from './read.js'

const sql = `
  SELECT
    count(DISTINCT CASE WHEN day = @at THEN user_id END) AS dau,
    count(DISTINCT CASE WHEN day > @at - 7 THEN user_id END) AS wau,
    count(DISTINCT user_id) AS mau,
    count(*) AS user_days
  FROM active_days WHERE day > @at - 30 AND day <= @at`

export const activeUsersSql: InsightsSql = { sqlite: sql, postgres: sql }

/**
 * **dau / wau / mau** at D: active users in the 1 / 7 / 30 days ending at D. **stickiness** at
 * D: the mean of the daily active users over the 30 days ending at D, divided by mau (0 when
 * mau is 0). A user is active on a day when at least one stored event of theirs has its
 * corrected timestamp on that (UTC) day.
 */
export async function activeUsers(
  store: InsightsStore,
  { at }: AtParameters,
): Promise<ActiveUsersAnswer> {
  const [row] = await store.query(activeUsersSql, { at })
  const mau = countOf(row, 'mau')
  // The mean DAU is the user-days over 30; divided by mau that is user-days / (30 × mau).
  const stickiness = mau === 0 ? 0 : countOf(row, 'user_days') / (30 * mau)
  return {
    at: formatDay(at),
    dau: countOf(row, 'dau'),
    wau: countOf(row, 'wau'),
    mau,
    stickiness,
  }
}
