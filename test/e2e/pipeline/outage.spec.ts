import {
  clientReady,
  clientStats,
  markKey,
  marks,
  recordMarked,
  storedMarks,
} from './marked-events.js'
import { duplicates, expect, reportCounts, test } from './support.js'

test.use({ instance: 'outage' })

test('500 events, the page reloaded at once while the backend answers 503, then recovery: every event stored once', async ({
  page,
  pipeline,
}, testInfo) => {
  // The outage lasts as long as the server takes to answer a few 503s (5 s each, below).
  test.setTimeout(180_000)
  await pipeline.openDemo(page, 'kim')
  const recorded = marks(0, 0, 500)

  // A real 503 from the real backend: another connection holds SQLite's write lock, so the
  // instance's inserts wait out its busy_timeout (5 s), fail, and ingest answers 503 with
  // Retry-After: 5, keeping nothing. (better-sqlite3 waits synchronously: the server answers
  // nothing else meanwhile, so the reload below is slow too. Timeouts are generous for that.)
  const lock = pipeline.holdWriteLock()
  let retriesAfterReload = 0
  try {
    await recordMarked(page, recorded)
    // At once, as the peers were measured: the first batch is on its way to a 503 and
    // the rest may not be in IndexedDB yet.
    await page.reload({ timeout: 90_000 })
    await clientReady(page, 90_000)
    // The new load's client met the outage too, with the events it found queued.
    await expect
      .poll(async () => (await clientStats(page)).retries, {
        timeout: 90_000,
        message: 'a failed send after the reload',
      })
      .toBeGreaterThan(0)
    retriesAfterReload = (await clientStats(page)).retries
    expect(pipeline.stored()).toEqual([])
  } finally {
    lock.release()
  }
  const unavailable = pipeline.sent.filter(batch => batch.status === 503).length
  expect(unavailable).toBeGreaterThan(0)

  // Recovery: the client's next retry (after Retry-After) delivers everything.
  const stored = await pipeline.waitForStored(recorded.length, 90_000)
  await expect.poll(async () => (await clientStats(page)).queued, { timeout: 30_000 }).toBe(0)
  // A late resend would show up as a second row (it must not): give one the time to arrive.
  await page.waitForTimeout(1_000)
  const ids = pipeline.stored().map(event => event.id)
  expect(ids).toHaveLength(recorded.length)
  expect(duplicates(ids)).toEqual([])
  expect(stored.map(event => event.id).every(id => ids.includes(id))).toBe(true)
  const storedKeys = storedMarks(pipeline.stored())
  expect(duplicates(storedKeys)).toEqual([])
  expect(new Set(storedKeys)).toEqual(new Set(recorded.map(markKey)))

  // And each left for the gateway once, redacted to its numbers.
  const received = await pipeline.waitForReceived(recorded.length, 60_000)
  expect(duplicates(received.map(item => item.id))).toEqual([])
  expect(received.map(item => item.id).sort()).toEqual([...ids].sort())

  await reportCounts(testInfo, pipeline, recorded.length, {
    answered503: unavailable,
    retriesAfterReload,
  })
})
