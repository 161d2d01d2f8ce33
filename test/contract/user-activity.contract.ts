import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../src/server/commands/import.js'
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

/** The user-activity question against an oracle, on every store with rollups. */
export function describeUserActivityContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} user activity contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    it("counts one user's events and active days per feature in a window, as planted", async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      await importIntoStore(store, planted.map(importLine))
      const insights = store.insights
      if (insights === undefined) throw new Error(`${name} keeps no insights`)
      const userIds = [1, 2, 5, 10, 29, 31, 404]
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
  })
}
