import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../src/server/commands/import.js'
import { activeUsers } from '../../src/server/insights/active-users.js'
import { formatDay } from '../../src/server/insights/days.js'
import { atRisk } from '../../src/server/insights/at-risk.js'
import { events } from '../../src/server/insights/events.js'
import { features } from '../../src/server/insights/features.js'
import { lifecycle } from '../../src/server/insights/lifecycle.js'
import { powerUsers } from '../../src/server/insights/power-users.js'
import { retention } from '../../src/server/insights/retention.js'
import { sessions } from '../../src/server/insights/sessions.js'
import type { InsightsStore } from '../../src/server/stores/insights-store.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { askedDays, eventsQuestions, expectedSource, windows } from './insights-asked.js'
import { dayMs, firstDay, importLine, plantHistory } from './insights-history.js'
import { describeInsightsRollupsContract } from './insights-rollups.contract.js'
import {
  dayOf as dayOfPlanted,
  oracleActiveUsers,
  oracleAtRisk,
  oracleEvents,
  oracleFeatures,
  oracleHistogram,
  oracleLifecycle,
  oracleRetention,
  oracleSessions,
} from './insights-oracle.js'

const planted = plantHistory()

/**
 * The insights every store with rollups answers, held against an oracle over a planted
 * history. `open` and `cleanup` as for `describeStoreContract`.
 */
export function describeInsightsContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} insights contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    const fresh = async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      return store
    }
    const insightsOf = (store: ServerEventStore): InsightsStore => {
      if (store.insights === undefined) throw new Error(`${name} keeps no insights`)
      return store.insights
    }
    /** The planted history imported, with duplicate ids within a batch and across batches. */
    const planting = async () => {
      const store = await fresh()
      const lines = planted.map(importLine)
      const duplicated = [
        lines[3],
        ...lines.slice(0, 150),
        lines[7],
        lines[7],
        ...lines.slice(150),
        lines[0],
      ]
      const summary = await importIntoStore(store, duplicated as string[], { maxBatchEvents: 100 })
      expect(summary).toEqual({ stored: planted.length, present: 4, refused: 0, reasons: [] })
      return insightsOf(store)
    }

    describe('active users', () => {
      it('counts dau, wau, mau and stickiness by UTC day, as planted', async () => {
        const insights = await planting()
        for (const at of askedDays) {
          const expected = oracleActiveUsers(planted, at)
          const answer = await activeUsers(insights, { at })
          expect({ ...answer, stickiness: answer.stickiness.toFixed(12) }).toEqual({
            at: formatDay(at),
            ...expected,
            stickiness: expected.stickiness.toFixed(12),
          })
        }
      })
    })

    describe('power users', () => {
      it('counts users by their active days of 30, and those past minDays', async () => {
        const insights = await planting()
        for (const at of askedDays) {
          const histogram = oracleHistogram(planted, at)
          for (const minDays of [1, 3, 10, 30]) {
            const answer = await powerUsers(insights, { at, minDays })
            expect(answer.histogram).toEqual(
              histogram.map((users, index) => ({ days: index + 1, users })),
            )
            expect(answer.powerUsers).toBe(histogram.slice(minDays - 1).reduce((a, b) => a + b, 0))
          }
        }
        expect(oracleHistogram(planted, firstDay + 60).some(users => users > 0)).toBe(true)
      })
    })

    describe('events', () => {
      it('counts events and users matching the filters, from the rollups and from raw events', async () => {
        const insights = await planting()
        // Nothing was pruned: every source holds the history from its first day.
        const since = formatDay(Math.min(...planted.map(dayOfPlanted)))
        for (const question of eventsQuestions) {
          expect({ question, answer: await events(insights, question) }).toEqual({
            question,
            answer: {
              ...oracleEvents(planted, question),
              coverage: { source: expectedSource(question), since },
            },
          })
        }
        // Over the whole history every filter finds events, but those asking for a pair no
        // event has.
        const unmatched = ({ where }: (typeof eventsQuestions)[number]) =>
          where.some(({ key, value }) => key === 'absent' || (key === 'ratio' && value === 1.25))
        for (const question of eventsQuestions.filter(asked => asked.from === firstDay)) {
          expect({ question, found: oracleEvents(planted, question).events > 0 }).toEqual({
            question,
            found: !unmatched(question),
          })
        }
      })
    })

    describe('sessions', () => {
      it('counts sessions in a window and those with two features in it, by UTC day', async () => {
        const insights = await planting()
        for (const window of windows) {
          expect({ window, answer: await sessions(insights, window) }).toEqual({
            window,
            answer: oracleSessions(planted, window.from, window.to),
          })
        }
        expect(oracleSessions(planted, firstDay + 69, firstDay + 70).multiFeature).toBeGreaterThan(
          0,
        )
      })
    })

    describe('features', () => {
      it('counts each feature, stickiest first, and the active users of the window', async () => {
        const insights = await planting()
        for (const window of windows) {
          expect({ window, answer: await features(insights, window) }).toEqual({
            window,
            answer: oracleFeatures(planted, window.from, window.to),
          })
        }
      })
    })

    describe('at risk', () => {
      it('lists users active 4 days of the 28 ending at D-14 and not since', async () => {
        const insights = await planting()
        let found = 0
        for (const at of askedDays) {
          const expected = oracleAtRisk(planted, at).map(user => ({
            ...user,
            lastActive: formatDay(user.lastActive),
          }))
          found += expected.length
          expect({ at, answer: await atRisk(insights, { at }) }).toEqual({
            at,
            answer: { users: expected },
          })
        }
        expect(found).toBeGreaterThan(0)
      })
    })

    describe('lifecycle', () => {
      it('splits each week into new, returning, resurrecting and dormant users', async () => {
        const insights = await planting()
        const seen: { new: number; returning: number; resurrecting: number; dormant: number }[] = []
        for (const at of askedDays) {
          for (const weeks of [1, 4, 12, 52]) {
            const expected = oracleLifecycle(planted, at, weeks).map(week => ({
              ...week,
              start: formatDay(week.start),
            }))
            seen.push(...expected)
            expect({ at, weeks, answer: await lifecycle(insights, { at, weeks }) }).toEqual({
              at,
              weeks,
              answer: { weeks: expected },
            })
          }
        }
        for (const kind of ['new', 'returning', 'resurrecting', 'dormant'] as const) {
          expect(seen.some(week => week[kind] > 0)).toBe(true)
        }
      })
    })

    describe('retention', () => {
      it('follows each weekly cohort through the weeks after its first', async () => {
        const insights = await planting()
        let retained = 0
        for (const at of askedDays) {
          for (const weeks of [1, 4, 12, 52]) {
            const expected = oracleRetention(planted, at, weeks).map(cohort => ({
              ...cohort,
              start: formatDay(cohort.start),
            }))
            retained += expected.reduce((sum, cohort) => sum + (cohort.active[1] ?? 0), 0)
            expect({ at, weeks, answer: await retention(insights, { at, weeks }) }).toEqual({
              at,
              weeks,
              answer: { cohorts: expected },
            })
          }
        }
        expect(retained).toBeGreaterThan(0)
      })
    })

    describe('rollup retention', () => {
      it('forgets the days before the cutoff, keeps the later ones, and remembers first days', async () => {
        const insights = await planting()
        const cutoff = firstDay + 60
        expect(await insights.pruneRollups(new Date(cutoff * dayMs))).toBeGreaterThan(0)
        const kept = planted.filter(event => dayOfPlanted(event) >= cutoff)
        for (const at of [firstDay + 59, firstDay + 70, firstDay + 100]) {
          const expected = oracleActiveUsers(kept, at)
          const answer = await activeUsers(insights, { at })
          expect({ ...answer, stickiness: answer.stickiness.toFixed(12) }).toEqual({
            at: formatDay(at),
            ...expected,
            stickiness: expected.stickiness.toFixed(12),
          })
        }
        // Users first active before the cutoff are not new after it.
        const at = firstDay + 100
        expect(await lifecycle(insights, { at, weeks: 4 })).toEqual({
          weeks: oracleLifecycle(planted, at, 4).map(week => ({
            ...week,
            start: formatDay(week.start),
          })),
        })
      })
    })
  })
  describeInsightsRollupsContract(name, open, cleanup)
}
