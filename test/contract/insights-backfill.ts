import { expect } from 'vitest'
import { activeUsers } from '../../src/server/insights/active-users.js'
import { formatDay } from '../../src/server/insights/days.js'
import { events } from '../../src/server/insights/events.js'
import { features } from '../../src/server/insights/features.js'
import { lifecycle } from '../../src/server/insights/lifecycle.js'
import { sessions } from '../../src/server/insights/sessions.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { firstDay, type Planted } from './insights-history.js'
import { expectedSource } from './insights-asked.js'
import {
  dayOf,
  oracleActiveUsers,
  oracleEvents,
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

/**
 * Checks a store migrated to version 4 holding `planted` in its rollups, whose raw events
 * before day `keptFrom` were pruned before the upgrade: the flag rollups hold the events the
 * upgrade found, and the answers read from them or from the raw events say they start at the
 * first of those, while the other rollups still answer for every day.
 */
export async function expectWhereBackfilled(
  store: ServerEventStore,
  planted: readonly Planted[],
  keptFrom: number,
): Promise<void> {
  const insights = store.insights
  if (insights === undefined) throw new Error('the store keeps no insights')
  const kept = planted.filter(event => dayOf(event) >= keptFrom)
  const first = (events: readonly Planted[]) => formatDay(Math.min(...events.map(dayOf)))
  for (const window of [
    { from: firstDay, to: firstDay + 119 },
    { from: keptFrom - 5, to: keptFrom + 20 },
  ]) {
    for (const question of [
      { ...window, where: [] },
      { ...window, feature: 'search', where: [] },
      { ...window, where: [{ key: 'regex', value: 1 }] },
      {
        ...window,
        feature: 'search',
        where: [
          { key: 'regex', value: 0 },
          { key: 'cache.hit', value: 1 },
        ],
      },
      { ...window, where: [{ key: 'ratio', value: 0.25 }] },
      { ...window, userId: 3, where: [{ key: 'regex', value: 1 }] },
    ]) {
      const held = question.where.length === 0 ? planted : kept
      expect({ question, answer: await events(insights, question) }).toEqual({
        question,
        answer: {
          ...oracleEvents(held, question),
          coverage: { source: expectedSource(question), since: first(held) },
        },
      })
    }
  }
}
