import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../src/server/commands/import.js'
import { metadataFlags } from '../../src/server/insights/metadata-flags.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { windows } from './insights-asked.js'
import { importLine, plantHistory, type Planted } from './insights-history.js'
import { dayOf } from './insights-oracle.js'

const planted = plantHistory()

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

/** The metadata-flags question against an oracle, on every store with insights. */
export function describeMetadataFlagsContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} metadata flags contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    it("counts one user's events with each numeric metadata key at 1, as planted", async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      await importIntoStore(store, planted.map(importLine))
      const insights = store.insights
      if (insights === undefined) throw new Error(`${name} keeps no insights`)
      let found = 0
      for (const window of windows) {
        for (const userId of [1, 2, 5, 10, 29, 31, 404]) {
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
  })
}
