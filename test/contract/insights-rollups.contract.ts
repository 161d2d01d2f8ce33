import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../src/server/commands/import.js'
import { formatDay } from '../../src/server/insights/days.js'
import { events } from '../../src/server/insights/events.js'
import { features } from '../../src/server/insights/features.js'
import { sessions } from '../../src/server/insights/sessions.js'
import type { InsightsStore } from '../../src/server/stores/insights-store.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { windows } from './insights-asked.js'
import { dayMs, firstDay, importLine, plantHistory, type Planted } from './insights-history.js'
import { dayOf, oracleEvents, oracleFeatures, oracleSessions } from './insights-oracle.js'

const planted = plantHistory(7)

/** The questions read from the coarser rollups (events without `where`, features, sessions), against the oracle. */
async function expectRollupAnswers(
  insights: InsightsStore,
  kept: readonly Planted[],
  asked: readonly { from: number; to: number }[],
) {
  for (const window of asked) {
    expect({ window, answer: await features(insights, window) }).toEqual({
      window,
      answer: oracleFeatures(kept, window.from, window.to),
    })
    expect({ window, answer: await sessions(insights, window) }).toEqual({
      window,
      answer: oracleSessions(kept, window.from, window.to),
    })
    // The rollups hold the days from the first kept one on, whatever was pruned before it.
    const since = formatDay(Math.min(...kept.map(dayOf)))
    for (const question of [
      { ...window, where: [] },
      { ...window, feature: 'chat', where: [] },
      { ...window, feature: 'search', action: 'run', where: [] },
      { ...window, userId: 5, where: [] },
      { ...window, where: [{ key: 'regex', value: 1 }] },
      { ...window, feature: 'chat', where: [{ key: 'cache.hit', value: 0 }] },
      {
        ...window,
        feature: 'search',
        action: 'run',
        where: [
          { key: 'regex', value: 0 },
          { key: 'count', value: 1 },
        ],
      },
    ]) {
      expect({ question, answer: await events(insights, question) }).toEqual({
        question,
        answer: { ...oracleEvents(kept, question), coverage: { source: 'rollups', since } },
      })
    }
  }
}

/**
 * The per-day totals, the feature day bitmasks, the per-day sessions and the flag rollups count each stored
 * event once, whatever is sent again, and forget exactly the days a prune drops.
 */
export function describeInsightsRollupsContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} insights rollups`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    const fresh = async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      if (store.insights === undefined) throw new Error(`${name} keeps no insights`)
      return { store, insights: store.insights }
    }

    it('counts an event sent again, in another batch or the same one, once', async () => {
      const { store, insights } = await fresh()
      const lines = planted.map(importLine)
      const half = Math.floor(lines.length / 2)
      await importIntoStore(store, lines.slice(0, half), { maxBatchEvents: 37 })
      // Everything again, cut into other batches, with ids repeated inside a batch too.
      const again = [...lines.slice(half - 20), ...lines.slice(0, half), lines[1] as string]
      const summary = await importIntoStore(store, again, { maxBatchEvents: 53 })
      expect(summary.stored).toBe(lines.length - half)
      await expectRollupAnswers(insights, planted, windows)
    })

    it('forgets the days before a prune, inside a 32-day block too, and keeps the rest', async () => {
      const { store, insights } = await fresh()
      await importIntoStore(store, planted.map(importLine))
      // Not a multiple of 32: the prune cuts a day bitmask block in two.
      const cutoff = firstDay + 45
      expect(cutoff % 32).not.toBe(0)
      expect(await insights.pruneRollups(new Date(cutoff * dayMs))).toBeGreaterThan(0)
      const kept = planted.filter(event => dayOf(event) >= cutoff)
      await expectRollupAnswers(insights, kept, [
        { from: cutoff - 10, to: cutoff + 10 },
        { from: cutoff, to: cutoff + 29 },
        { from: firstDay, to: firstDay + 119 },
      ])
    })
  })
}
