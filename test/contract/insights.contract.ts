import { afterEach, describe, expect, it } from 'vitest'
import { dumpFromStore } from '../../src/server/commands/dump.js'
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
import {
  dayMs,
  firstDay,
  historyDays,
  importLine,
  plantHistory,
  type Planted,
} from './insights-history.js'
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
  type EventsQuestion,
} from './insights-oracle.js'

const planted = plantHistory()

/** Windows: one day each side of the midnight session, a week, 30 days, all of it, and before it. */
const windows = [
  { from: firstDay + 69, to: firstDay + 69 },
  { from: firstDay + 70, to: firstDay + 70 },
  { from: firstDay + 69, to: firstDay + 70 },
  { from: firstDay + 40, to: firstDay + 46 },
  { from: firstDay + 30, to: firstDay + 59 },
  { from: firstDay, to: firstDay + historyDays - 1 },
  { from: firstDay - 30, to: firstDay - 1 },
]

const eventsQuestions: EventsQuestion[] = windows.flatMap(window => [
  { ...window, where: [] },
  { ...window, feature: 'search', where: [] },
  { ...window, feature: 'nav', action: 'open', where: [] },
  { ...window, userId: 3, where: [] },
  { ...window, userId: 30, where: [] },
  { ...window, where: [{ key: 'durationMs', value: 50 }] },
  {
    ...window,
    feature: 'chat',
    where: [
      { key: 'durationMs', value: 100 },
      { key: 'count', value: 0 },
    ],
  },
  { ...window, where: [{ key: 'absent', value: 0 }] },
])

/**
 * Days to ask about: before the history (empty windows), its first day, the days around the
 * single events and the midnight session, every ninth day, its last day and long after.
 */
const days = [
  firstDay - 1,
  firstDay,
  firstDay + 40,
  firstDay + 41,
  firstDay + 69,
  firstDay + 70,
  ...Array.from({ length: 14 }, (_, n) => firstDay + 5 + n * 9),
  firstDay + historyDays - 1,
  firstDay + historyDays + 20,
  firstDay + 500,
]

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

    describe('import and dump', () => {
      it('stores each id once, counts the ones already present, and refuses bad lines with their reasons', async () => {
        const store = await fresh()
        const good = planted.slice(0, 3).map(importLine)
        const noUser = JSON.stringify({
          ...JSON.parse(good[0] as string),
          id: 'other-0001',
          userId: undefined,
        })
        const badTime = JSON.stringify({
          ...JSON.parse(good[0] as string),
          id: 'other-0002',
          timestamp: 'yesterday',
        })
        const summary = await importIntoStore(store, [
          ...good,
          good[1] as string,
          '',
          'not json',
          noUser,
          badTime,
        ])
        expect(summary).toEqual({
          stored: 3,
          present: 1,
          refused: 3,
          reasons: [
            'line 6: not JSON',
            'line 7: userId must be a positive whole number',
            'line 8: timestamp must be an ISO 8601 time from 2000 to 2099',
          ],
        })
        const [row] = await store.get([planted[0]?.id as string])
        expect(row?.userId).toBe(planted[0]?.userId)
        expect(row?.correctedTimestamp.getTime()).toBe(planted[0]?.ms)
        expect(row?.event.timestamp.getTime()).toBe(planted[0]?.ms)
      })

      it('scrubs privateMetadata like ingest and ignores unknown fields', async () => {
        const store = await fresh()
        const line = JSON.parse(importLine(planted[0] as (typeof planted)[number])) as Record<
          string,
          unknown
        >
        const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'
        await importIntoStore(store, [
          JSON.stringify({
            ...line,
            extra: 'ignored',
            parameters: { version: 1, privateMetadata: { token: secret } },
          }),
        ])
        const [row] = await store.get([line.id as string])
        expect(JSON.stringify(row?.event)).not.toContain(secret)
        expect(row?.event).not.toHaveProperty('extra')
      })

      it('dumps every event once, in id order, as lines that import back to the same rows', async () => {
        const store = await fresh()
        await importIntoStore(store, planted.map(importLine))
        const chunks: string[] = []
        const written = await dumpFromStore(store, chunk => void chunks.push(chunk), {
          maxPageRows: 64,
        })
        const lines = chunks.join('').trimEnd().split('\n')
        expect(written).toBe(planted.length)
        const byId = new Map(planted.map(event => [event.id, event]))
        const dumped = lines.map(line => JSON.parse(line) as Record<string, unknown>)
        expect(dumped.map(line => line.id)).toEqual([...byId.keys()].sort())
        for (const line of dumped) {
          const event = byId.get(line.id as string)
          expect(line).toMatchObject(JSON.parse(importLine(event as Planted)) as object)
          expect(line.correctedTimestamp).toBe(line.timestamp)
          expect(typeof line.receivedAt).toBe('string')
        }
        expect(await importIntoStore(store, lines)).toEqual({
          stored: 0,
          present: planted.length,
          refused: 0,
          reasons: [],
        })
      })
    })

    describe('active users', () => {
      it('counts dau, wau, mau and stickiness by UTC day, as planted', async () => {
        const insights = await planting()
        for (const at of days) {
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
        for (const at of days) {
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
        for (const question of eventsQuestions) {
          expect({ question, answer: await events(insights, question) }).toEqual({
            question,
            answer: oracleEvents(planted, question),
          })
        }
        expect(oracleEvents(planted, eventsQuestions[5] as EventsQuestion).events).toBeGreaterThan(
          0,
        )
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
        for (const at of days) {
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
        for (const at of days) {
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
        for (const at of days) {
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
}
