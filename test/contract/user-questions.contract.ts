import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../src/server/commands/import.js'
import { metadataFlags } from '../../src/server/insights/metadata-flags.js'
import { userActivity } from '../../src/server/insights/user-activity.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { windows } from './insights-asked.js'
import { importLine, plantHistory, type Planted } from './insights-history.js'
import { dayOf } from './insights-oracle.js'

const planted = plantHistory()

/** One user's events per feature and active days, from the planted events in plain arrays. */
function oracleUserActivity(events: readonly Planted[], userId: number, from: number, to: number) {
  const mine = events.filter(e => e.userId === userId && dayOf(e) >= from && dayOf(e) <= to)
  const names = [...new Set(mine.map(e => e.feature))]
  const features = names.map(feature => {
    const used = mine.filter(e => e.feature === feature)
    return { feature, events: used.length, activeDays: new Set(used.map(dayOf)).size }
  })
  features.sort((a, b) => b.events - a.events || a.feature.localeCompare(b.feature))
  return { userId, activeDays: new Set(mine.map(dayOf)).size, features }
}

/** One user's events with each metadata key at 1, by feature and action, in plain arrays. */
function oracleFlags(events: readonly Planted[], userId: number, from: number, to: number) {
  const counts = new Map<string, { feature: string; action: string; key: string; events: number }>()
  for (const event of events) {
    if (event.userId !== userId || dayOf(event) < from || dayOf(event) > to) continue
    for (const [key, value] of Object.entries(event.metadata)) {
      if (value !== 1) continue
      const id = `${event.feature}\u0000${event.action}\u0000${key}`
      const entry = counts.get(id) ?? {
        feature: event.feature,
        action: event.action,
        key,
        events: 0,
      }
      entry.events++
      counts.set(id, entry)
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return [...counts.values()]
    .sort(
      (a, b) =>
        b.events - a.events ||
        byName(a.feature, b.feature) ||
        byName(a.action, b.action) ||
        byName(a.key, b.key),
    )
    .slice(0, 50)
}

/** The questions about one user (activity by feature, metadata flags) against an oracle, on every store with insights. */
export function describeUserQuestionsContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} user questions contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })
    const userIds = [1, 2, 5, 10, 29, 31, 404]
    const planting = async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      await importIntoStore(store, planted.map(importLine))
      const insights = store.insights
      if (insights === undefined) throw new Error(`${name} keeps no insights`)
      return insights
    }

    it("counts one user's events and active days per feature in a window, as planted", async () => {
      const insights = await planting()
      for (const window of windows) {
        for (const userId of userIds) {
          expect({ window, answer: await userActivity(insights, { ...window, userId }) }).toEqual({
            window,
            answer: oracleUserActivity(planted, userId, window.from, window.to),
          })
        }
      }
      // The whole history: the planted user 2 used several features on several days.
      const whole = await userActivity(insights, { from: 0, to: 100_000, userId: 2 })
      expect(whole.features.length).toBeGreaterThan(1)
      expect(whole.activeDays).toBeGreaterThan(1)
    })

    it("counts one user's events with each numeric metadata key at 1, as planted", async () => {
      const insights = await planting()
      let found = 0
      for (const window of windows) {
        for (const userId of userIds) {
          const { flags } = await metadataFlags(insights, { ...window, userId })
          expect({ window, userId, flags }).toEqual({
            window,
            userId,
            flags: oracleFlags(planted, userId, window.from, window.to),
          })
          found += flags.length
        }
      }
      // The planted history sets `count: 1` often enough for the windows to find flags.
      expect(found).toBeGreaterThan(0)
    })

    it("lists a user's flags when their events' privateMetadata holds \\u0000 or a lone surrogate", async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      const ms = Date.UTC(2026, 10, 20, 12)
      const lines = ['\u0000', '\ud800', 'plain'].map((q, index) =>
        JSON.stringify({
          id: `odd-private-${index}`,
          timestamp: new Date(ms + index).toISOString(),
          feature: 'search',
          action: 'submitted',
          source: { client: 'web' },
          sessionId: 'session-odd',
          parameters: { version: 1, metadata: { regex: 1, count: 2 }, privateMetadata: { q } },
          userId: 7,
        }),
      )
      expect(await importIntoStore(store, lines)).toMatchObject({ stored: 3, refused: 0 })
      const day = Math.floor(ms / 86_400_000)
      const insights = store.insights
      if (insights === undefined) throw new Error(`${name} keeps no insights`)
      const { flags } = await metadataFlags(insights, { from: day, to: day, userId: 7 })
      expect(flags).toEqual([{ feature: 'search', action: 'submitted', key: 'regex', events: 3 }])
    })
  })
}
