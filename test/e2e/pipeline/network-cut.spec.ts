import { clientStats, markKey, marks, recordMarked, storedMarks } from './marked-events.js'
import { duplicates, expect, reportCounts, test } from './support.js'

const cutMs = 20_000

test('the network cut for 20 s: a bounded number of requests, backing off, then delivery', async ({
  page,
  pipeline,
}, testInfo) => {
  // 20 s of cut, then the retry already scheduled; the timeout grows with its ceiling below.
  test.setTimeout(120_000)
  const startedAt = Date.now()
  await pipeline.openDemo(page, 'leo')
  const eventsUrl = `${pipeline.instanceUrl}/.api/telemetry/events`
  const attempts: number[] = []
  await page.route(eventsUrl, route => {
    attempts.push(Date.now())
    return route.abort('internetdisconnected')
  })

  // A full batch: the client sends at once, so the whole cut is spent backing off.
  const recorded = marks(0, 0, 100)
  await recordMarked(page, recorded)
  await expect.poll(() => attempts.length, { message: 'the first send' }).toBeGreaterThan(0)
  const cutAt = attempts[0] ?? Date.now()
  await page.waitForTimeout(Math.max(0, cutAt + cutMs - Date.now()))
  await page.unroute(eventsUrl)
  const duringCut = attempts.length
  const gapsMs = attempts.slice(1).map((at, i) => at - (attempts[i] ?? at))

  // Full jitter from 1 s, ×2: retry n waits a uniform draw below 2^(n-1) s. The ceilings of
  // the first four retries add up to 15 s, so at least five requests fit in 20 s (four,
  // leaving a slow machine its timer delays). A client retrying every second would make 20;
  // more than 12 here would need the draws of retries 7 to 11 all to stay below 20 s in all,
  // a chance of a few in a million.
  expect(duringCut).toBeGreaterThanOrEqual(4)
  expect(duringCut).toBeLessThanOrEqual(12)
  expect(pipeline.stored()).toEqual([])
  expect((await clientStats(page)).queued).toBe(recorded.length)

  // The retry scheduled during the cut delivers, with no help from the test, within the
  // ceiling of its draw (retry n waits below 2^(n-1) s, at most 5 min). The test gets that long.
  const ceilingMs = Math.min(5 * 60_000, 1_000 * 2 ** (duringCut - 1))
  test.setTimeout(Date.now() - startedAt + ceilingMs + 60_000)
  const restoredAt = Date.now()
  const stored = await pipeline.waitForStored(recorded.length, ceilingMs + 30_000)
  const deliveredAfterMs = Date.now() - restoredAt
  await expect.poll(async () => (await clientStats(page)).queued).toBe(0)
  const ids = stored.map(event => event.id)
  expect(ids).toHaveLength(recorded.length)
  expect(duplicates(ids)).toEqual([])
  const storedKeys = storedMarks(stored)
  expect(new Set(storedKeys)).toEqual(new Set(recorded.map(markKey)))
  expect(duplicates(storedKeys)).toEqual([])
  // Every request that reached the instance was answered with the whole batch.
  expect(new Set(pipeline.sentIds())).toEqual(new Set(ids))

  const received = await pipeline.waitForReceived(recorded.length)
  expect(received.map(item => item.id).sort()).toEqual([...ids].sort())

  process.stdout.write(`network cut: gaps between requests (ms): ${gapsMs.join(', ')}\n`)
  await reportCounts(testInfo, pipeline, recorded.length, {
    requestsDuringCut: duringCut,
    deliveredAfterMs,
  })
})
