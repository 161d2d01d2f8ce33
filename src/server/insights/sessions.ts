import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { SessionsAnswer } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

// A session's least and greatest feature of each day: it used two features in the window
// exactly when the least of its days' least differs from the greatest of their greatest.
const sql = `
  SELECT count(*) AS sessions, sum(CASE WHEN low <> high THEN 1 ELSE 0 END) AS multi_feature
  FROM (
    SELECT session_id, min(min_feature) AS low, max(max_feature) AS high FROM session_days
    WHERE day >= @from AND day <= @to GROUP BY session_id
  ) per_session`

export const sessionsSql: InsightsSql = { sqlite: sql, postgres: sql }

/**
 * **sessions** in a window: distinct `sessionId`s with an event in it; **multi-feature**
 * sessions have events of at least two distinct features in the window. Read from the
 * per-day session rollup, so a window reaches back as far as the rollups are kept.
 */
export async function sessions(
  store: InsightsStore,
  { from, to }: WindowParameters,
): Promise<SessionsAnswer> {
  const [row] = await store.query(sessionsSql, { from, to })
  return { sessions: countOf(row, 'sessions'), multiFeature: countOf(row, 'multi_feature') }
}
