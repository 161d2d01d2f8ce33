import { dayMs } from '../stores/rows.js'
import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { SessionsAnswer } from './answers.js'
import type { WindowParameters } from './parameters.js'
import { countOf } from './read.js'

// Sessions cross days and users' rollups, so this question reads raw events, by the index on
// (timestamp, session_id, feature) which covers it.
const perSession = (inWindow: string) => `
  SELECT count(*) AS sessions, sum(CASE WHEN features > 1 THEN 1 ELSE 0 END) AS multi_feature
  FROM (
    SELECT session_id, count(DISTINCT feature) AS features FROM events
    WHERE ${inWindow} GROUP BY session_id
  ) per_session`

export const sessionsSql: InsightsSql = {
  sqlite: perSession('timestamp >= @start_ms AND timestamp < @end_ms'),
  postgres: perSession(
    `timestamp >= to_timestamp(CAST(@start_ms AS double precision) / 1000)
     AND timestamp < to_timestamp(CAST(@end_ms AS double precision) / 1000)`,
  ),
}

/**
 * **sessions** in a window: distinct `sessionId`s with an event in it; **multi-feature**
 * sessions have events of at least two distinct features in the window. Read from the raw
 * events, so a window reaches back as far as they are kept (90 days by default).
 */
export async function sessions(
  store: InsightsStore,
  { from, to }: WindowParameters,
): Promise<SessionsAnswer> {
  const [row] = await store.query(sessionsSql, {
    start_ms: from * dayMs,
    end_ms: (to + 1) * dayMs,
  })
  return { sessions: countOf(row, 'sessions'), multiFeature: countOf(row, 'multi_feature') }
}
