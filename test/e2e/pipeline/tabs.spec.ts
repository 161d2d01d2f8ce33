import type { Page } from '@playwright/test'
import {
  clientReady,
  clientStats,
  markKey,
  marks,
  recordMarked,
  storedMarks,
  type Mark,
} from './marked-events.js'
import { duplicates, expect, reportCounts, test } from './support.js'

const rounds = 6
const perRound = 20

test('three tabs recording at once with two reloads: recorded = stored, no duplicate rows', async ({
  context,
  pipeline,
}, testInfo) => {
  test.setTimeout(120_000)
  // One user, one origin: the tabs share the IndexedDB queue and take turns sending it.
  const tabs: Page[] = []
  for (let i = 0; i < 3; i++) {
    const tab = await context.newPage()
    await pipeline.openDemo(tab, 'mia')
    tabs.push(tab)
  }

  const recorded: Mark[] = []
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      tabs.map(async (tab, index) => {
        const batch = marks(index, round * perRound, perRound)
        recorded.push(...batch)
        await recordMarked(tab, batch)
      }),
    )
    // Reloaded right after recording, while the other tabs keep going.
    const reloading = round === 1 ? tabs[1] : round === 3 ? tabs[2] : undefined
    if (reloading !== undefined) {
      await reloading.reload()
      await clientReady(reloading)
    }
    await tabs[0]?.waitForTimeout(700)
  }

  const stored = await pipeline.waitForStored(recorded.length, 60_000)
  // Not each tab's `stats().queued`: a tab counts what it queued and learns of removals only
  // from its own sends, so a tab whose events another tab sent still shows them queued.
  // A late resend would show up as a second row (it must not): give one the time to arrive.
  await tabs[0]?.waitForTimeout(2_000)
  const tabStats = await Promise.all(tabs.map(tab => clientStats(tab)))
  const rows = pipeline.stored()
  const ids = rows.map(event => event.id)
  expect(duplicates(ids)).toEqual([])
  expect(ids).toHaveLength(recorded.length)
  expect(stored.length).toBe(recorded.length)
  const storedKeys = storedMarks(rows)
  expect(duplicates(storedKeys)).toEqual([])
  expect(new Set(storedKeys)).toEqual(new Set(recorded.map(markKey)))
  // What the pages saw acknowledged is what was stored (a reload's keepalive answer is not
  // seen, so the pages may have seen less).
  const seen = new Set(pipeline.sentIds())
  expect([...seen].filter(id => !ids.includes(id))).toEqual([])
  const userId = pipeline.userId('mia')
  for (const event of rows) expect(event.userId).toBe(userId)

  const received = await pipeline.waitForReceived(recorded.length)
  expect(duplicates(received.map(item => item.id))).toEqual([])
  expect(received.map(item => item.id).sort()).toEqual([...ids].sort())

  await reportCounts(testInfo, pipeline, recorded.length, {
    seenAcknowledgedDistinct: seen.size,
    sentPerTab: tabStats.map(stats => stats.sent).join('/'),
    queuedPerTab: tabStats.map(stats => stats.queued).join('/'),
  })
})
