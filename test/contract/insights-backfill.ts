import { expect } from 'vitest'
import { activeUsers } from '../../src/server/insights/active-users.js'
import { features } from '../../src/server/insights/features.js'
import { lifecycle } from '../../src/server/insights/lifecycle.js'
import { sessions } from '../../src/server/insights/sessions.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { firstDay, type Planted } from './insights-history.js'
import {
  oracleActiveUsers,
  oracleFeatures,
  oracleLifecycle,
  oracleSessions,
} from './insights-oracle.js'

/**
 * Checks a store migrated from version 1 holding `planted`: its rollups and session ids were
 * backfilled, so the insights answer as if the events had come in after the upgrade.
 */
export async function expectBackfilled(
  store: ServerEventStore,
  planted: readonly Planted[],
): Promise<void> {
  const insights = store.insights
  if (insights === undefined) throw new Error('the store keeps no insights')
  for (const at of [firstDay + 20, firstDay + 70, firstDay + 110]) {
    const answer = await activeUsers(insights, { at })
    const expected = oracleActiveUsers(planted, at)
    expect({ ...answer, stickiness: answer.stickiness.toFixed(12) }).toMatchObject({
      ...expected,
      stickiness: expected.stickiness.toFixed(12),
    })
    const window = { from: at - 29, to: at }
    expect(await features(insights, window)).toEqual(
      oracleFeatures(planted, window.from, window.to),
    )
    expect(await sessions(insights, window)).toEqual(
      oracleSessions(planted, window.from, window.to),
    )
    expect((await lifecycle(insights, { at, weeks: 4 })).weeks.map(week => week.new)).toEqual(
      oracleLifecycle(planted, at, 4).map(week => week.new),
    )
  }
}
