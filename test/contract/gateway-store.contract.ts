import { afterEach, describe, expect, it } from 'vitest'
import type { ExportedEvent } from '../../src/protocol/export-redaction.js'
import type { GatewayStore } from '../../src/server/gateway/gateway-store.js'
import { activeUsers } from '../../src/server/insights/active-users.js'
import { atRisk } from '../../src/server/insights/at-risk.js'
import { formatDay } from '../../src/server/insights/days.js'
import { events } from '../../src/server/insights/events.js'
import { features } from '../../src/server/insights/features.js'
import { retention } from '../../src/server/insights/retention.js'
import { sessions } from '../../src/server/insights/sessions.js'
import type { InsightsStore } from '../../src/server/stores/insights-store.js'
import { exportedEvent, samplePing } from '../support/gateway-data.js'
import { describeGatewayPingStoreContract } from './gateway-ping-store.contract.js'
import { askedDays, eventsQuestions, windows } from './insights-asked.js'
import { dayMs, firstDay, plantHistory, type Planted } from './insights-history.js'
import {
  oracleActiveUsers,
  oracleAtRisk,
  oracleEvents,
  oracleFeatures,
  oracleRetention,
  oracleSessions,
} from './insights-oracle.js'

/**
 * A planted event as its instance exports it. The client's clock runs two days behind, so an
 * engine that counted the client's timestamp instead of the corrected one would answer other
 * days; the instance received each event a second after it happened.
 */
export function plantedExport(event: Planted): ExportedEvent {
  return {
    id: event.id,
    timestamp: new Date(event.ms),
    clientTimestamp: new Date(event.ms - 2 * dayMs),
    feature: event.feature,
    action: event.action,
    source: { client: 'web', clientVersion: '1.0.0' },
    sessionId: event.sessionId,
    parameters: { version: 1, metadata: event.metadata },
    userId: event.userId,
    receivedAt: new Date(event.ms + 1000),
  }
}

const acmeHistory = plantHistory(12)
const globexHistory = plantHistory(31)

/** Inserts a history in batches of 400, as an export worker sends it, some of it twice. */
async function plant(store: GatewayStore, instance: string, history: readonly Planted[]) {
  const exported = history.map(plantedExport)
  let added = 0
  for (let at = 0; at < exported.length; at += 400) {
    added += await store.insert(instance, exported.slice(at, at + 400), new Date())
  }
  // A resend of a whole batch after a lost acknowledgement adds nothing.
  added += await store.insert(instance, exported.slice(0, 400), new Date())
  expect(added).toBe(history.length)
}

const stickiness = (answer: { stickiness: number }) => answer.stickiness.toFixed(12)

/** Room for the tests that plant a history, on a machine shared with other test files. */
const heavy = 30_000

/**
 * What every gateway store promises, held against answers computed from the planted data.
 * `open` opens a store on the test's storage (the same storage on each call within a test, so
 * that a reopen finds what was stored); `cleanup` removes it after the test.
 */
export function describeGatewayStoreContract(
  name: string,
  open: () => Promise<GatewayStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} gateway store contract`, () => {
    const opened: GatewayStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })
    const fresh = async () => {
      const store = await open()
      opened.push(store)
      return store
    }
    const at = new Date('2026-11-27T12:00:00.000Z')

    describe('events', () => {
      it('stores each (instance, id) once and counts only new rows', async () => {
        const store = await fresh()
        const [a, b, c] = [exportedEvent(), exportedEvent(), exportedEvent()]
        expect(await store.insert('acme', [a, b] as ExportedEvent[], at)).toBe(2)
        expect(await store.insert('acme', [b, c] as ExportedEvent[], at)).toBe(1)
        expect(await store.insert('globex', [a] as ExportedEvent[], at)).toBe(1)
        expect(await store.count('acme')).toBe(3)
        expect(await store.count('globex')).toBe(1)
        expect(await store.count('initech')).toBe(0)
        expect(await store.instances()).toEqual(['acme', 'globex'])
      })

      it('keeps the first copy of an id and its first receipt', async () => {
        const store = await fresh()
        const first = exportedEvent()
        await store.insert('acme', [first], at)
        const later = new Date(at.getTime() + 60_000)
        await store.insert('acme', [{ ...first, feature: 'nav' }], later)
        expect(await store.list('acme', 10)).toEqual([
          { instance: 'acme', id: first.id, event: first, receivedAt: at },
        ])
      })

      it('lists the newest events newest last, by receipt then in export order', async () => {
        const store = await fresh()
        const batches = [
          [exportedEvent(), exportedEvent()],
          [exportedEvent()],
          [exportedEvent(), exportedEvent()],
        ]
        for (const [index, batch] of batches.entries()) {
          await store.insert('acme', batch, new Date(at.getTime() + index * 1000))
        }
        const all = batches.flat().map(event => event.id)
        expect((await store.list('acme', 10)).map(record => record.id)).toEqual(all)
        expect((await store.list('acme', 3)).map(record => record.id)).toEqual(all.slice(2))
        expect(await store.list('globex', 10)).toEqual([])
      })

      it('gives back every field of an event exactly as exported', async () => {
        const store = await fresh()
        const event = exportedEvent({
          privateMetadata: { query: 'a‹b›', nested: [1, { x: null }] },
        })
        await store.insert('acme', [event], at)
        const [record] = await store.list('acme', 1)
        expect(record).toEqual({ instance: 'acme', id: event.id, event, receivedAt: at })
      })

      it('knows an instance from an empty batch, without events', async () => {
        const store = await fresh()
        expect(await store.insert('acme', [], at)).toBe(0)
        expect(await store.instances()).toEqual(['acme'])
        expect(await store.count('acme')).toBe(0)
      })

      it('keeps everything across a reopen', async () => {
        const first = await fresh()
        const event = exportedEvent()
        await first.insert('acme', [event], at)
        await first.insertPing(samplePing('acme', '2026-11-26'), at)
        await first.close()
        const second = await fresh()
        expect(await second.count('acme')).toBe(1)
        expect(await second.insert('acme', [event], at)).toBe(0)
        expect(await second.insertPing(samplePing('acme', '2026-11-26'), at)).toBe(false)
        expect(await second.instances()).toEqual(['acme'])
      })

      it('closes twice without throwing', async () => {
        const store = await fresh()
        await store.close()
        await expect(store.close()).resolves.toBeUndefined()
      })
    })

    describeGatewayPingStoreContract(name, fresh)

    it('knows an instance from its pings alone, and gives none of one without', async () => {
      const store = await fresh()
      await store.insertPing(samplePing('globex', '2026-11-26'), at)
      await store.insertPing(samplePing('acme', '2026-11-25'), at)
      await store.insert('quiet', [], at)
      expect(await store.instances()).toEqual(['acme', 'globex', 'quiet'])
      const latest = await store.latestPings('2026-11-26')
      expect(latest.map(entry => [entry.ping.instance, entry.ping.day])).toEqual([
        ['acme', '2026-11-25'],
        ['globex', '2026-11-26'],
      ])
      expect(await store.activeUsersByDay('2026-11-25', '2026-11-26')).toEqual([
        { day: '2026-11-25', dau: 3, wau: 5, mau: 8 },
        { day: '2026-11-26', dau: 3, wau: 5, mau: 8 },
      ])
    })

    describe('insights per instance', () => {
      it('is undefined for an instance never heard from, and known after a ping alone', async () => {
        const store = await fresh()
        expect(await store.insights('acme')).toBeUndefined()
        await store.insertPing(samplePing('acme', '2026-11-26'), at)
        const insights = (await store.insights('acme')) as InsightsStore
        expect(await activeUsers(insights, { at: firstDay })).toMatchObject({ dau: 0, mau: 0 })
      })

      it(
        "answers each instance's questions over its own exported events, as planted",
        async () => {
          const store = await fresh()
          await plant(store, 'acme', acmeHistory)
          await plant(store, 'globex', globexHistory)
          for (const [instance, history] of [
            ['acme', acmeHistory],
            ['globex', globexHistory],
          ] as const) {
            const insights = (await store.insights(instance)) as InsightsStore
            for (const day of askedDays) {
              const expected = oracleActiveUsers(history, day)
              const answer = await activeUsers(insights, { at: day })
              expect({ instance, ...answer, stickiness: stickiness(answer) }).toEqual({
                instance,
                at: formatDay(day),
                ...expected,
                stickiness: stickiness(expected),
              })
              const risky = oracleAtRisk(history, day).map(user => ({
                ...user,
                lastActive: formatDay(user.lastActive),
              }))
              expect(await atRisk(insights, { at: day })).toEqual({ users: risky })
            }
            for (const question of eventsQuestions) {
              // The counts are the instance's; where they come from is the insights contract's.
              const { events: count, users } = await events(insights, question)
              expect({ question, answer: { events: count, users } }).toEqual({
                question,
                answer: oracleEvents(history, question),
              })
            }
            for (const window of windows) {
              expect(await features(insights, window)).toEqual(
                oracleFeatures(history, window.from, window.to),
              )
              expect(await sessions(insights, window)).toEqual(
                oracleSessions(history, window.from, window.to),
              )
            }
            const day = firstDay + 100
            expect(await retention(insights, { at: day, weeks: 12 })).toEqual({
              cohorts: oracleRetention(history, day, 12).map(cohort => ({
                ...cohort,
                start: formatDay(cohort.start),
              })),
            })
          }
        },
        heavy,
      )
    })

    describe('retention', () => {
      it(
        "deletes raw events by the instance's receipt, rollups and pings by day",
        async () => {
          const store = await fresh()
          await plant(store, 'acme', acmeHistory)
          await store.insert('globex', [exportedEvent()], at)
          await store.insertPing(samplePing('acme', formatDay(firstDay + 10)), at)
          await store.insertPing(samplePing('acme', formatDay(firstDay + 90)), at)
          const eventsBefore = new Date((firstDay + 50) * dayMs)
          const rollupsBefore = new Date((firstDay + 30) * dayMs)
          const result = await store.prune({
            eventsBefore,
            rollupsBefore,
            pingsBefore: formatDay(firstDay + 30),
          })
          const received = (event: Planted) => event.ms + 1000
          const gone = acmeHistory.filter(event => received(event) < eventsBefore.getTime())
          expect(result).toMatchObject({ events: gone.length + 1, pings: 1 })
          expect(result.rollupRows).toBeGreaterThan(0)
          expect(await store.count('acme')).toBe(acmeHistory.length - gone.length)
          expect(await store.count('globex')).toBe(0)
          expect((await store.pings('acme')).map(entry => entry.ping.day)).toEqual([
            formatDay(firstDay + 90),
          ])
          // The rollups of the days kept still answer as planted, raw events pruned or not.
          const insights = (await store.insights('acme')) as InsightsStore
          const kept = acmeHistory.filter(event => event.ms >= rollupsBefore.getTime())
          for (const day of [firstDay + 45, firstDay + 70, firstDay + 110]) {
            const expected = oracleActiveUsers(kept, day)
            const answer = await activeUsers(insights, { at: day })
            expect({ ...answer, stickiness: stickiness(answer) }).toEqual({
              at: formatDay(day),
              ...expected,
              stickiness: stickiness(expected),
            })
          }
        },
        heavy,
      )
    })
  })
}
