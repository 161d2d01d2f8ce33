import { instanceProcess } from './instance-process.js'
import {
  clientStats,
  markKey,
  marks,
  recordMarked,
  storedMarks,
  type Mark,
} from './marked-events.js'
import { duplicates, expect, reportCounts, test } from './support.js'

test.use({ instance: 'crash' })

const perRound = 50

test('the backend SIGKILLed and restarted mid-run: every event stored once', async ({
  page,
  pipeline,
}, testInfo) => {
  test.setTimeout(120_000)
  const server = instanceProcess('crash')
  await server.ensureRunning()
  try {
    await pipeline.openDemo(page, 'nina')
    const recorded: Mark[] = []
    const record = async (round: number) => {
      const batch = marks(0, round * perRound, perRound)
      recorded.push(...batch)
      await recordMarked(page, batch)
    }

    // Two rounds make a full batch: the client sends it at once.
    await record(0)
    await record(1)
    await pipeline.waitForStored(2 * perRound)
    // Killed in the middle of a send: the instance stores the batch and answers, and dies
    // before its answer reaches the page (the route holds it back). The client still holds
    // the batch and sends it again to the restarted instance, which must not store it twice.
    const eventsUrl = `${pipeline.instanceUrl}/.api/telemetry/events`
    let killed: Promise<number> | undefined
    await page.route(eventsUrl, async route => {
      if (killed !== undefined) return route.continue()
      killed = (async () => {
        const response = await route.fetch()
        const { accepted } = (await response.json()) as { accepted: string[] }
        // The client has one send in flight, this one: the counters are complete.
        await pipeline.carryCounters()
        await server.kill()
        await route.abort('connectionreset')
        return accepted.length
      })()
      // Awaited by the test below; a failure is reported there.
      killed.catch(() => {})
    })
    await record(2)
    await record(3)
    await expect.poll(() => killed !== undefined, { message: 'a send to kill' }).toBe(true)
    const unacknowledged = (await killed) ?? 0
    await page.unroute(eventsUrl)
    expect(unacknowledged).toBeGreaterThan(0)
    const storedAtKill = pipeline.stored().length
    expect(storedAtKill).toBe(2 * perRound + unacknowledged)

    // Recorded while the backend is down: the sends fail and the client backs off.
    await record(4)
    await record(5)
    await expect
      .poll(async () => (await clientStats(page)).retries, { message: 'a failed send' })
      .toBeGreaterThan(0)
    await server.restart()
    await record(6)

    const stored = await pipeline.waitForStored(recorded.length, 60_000)
    await expect.poll(async () => (await clientStats(page)).queued, { timeout: 30_000 }).toBe(0)
    await page.waitForTimeout(1_000)
    const rows = pipeline.stored()
    const ids = rows.map(event => event.id)
    expect(ids).toHaveLength(recorded.length)
    expect(stored).toHaveLength(recorded.length)
    expect(duplicates(ids)).toEqual([])
    const storedKeys = storedMarks(rows)
    expect(duplicates(storedKeys)).toEqual([])
    expect(new Set(storedKeys)).toEqual(new Set(recorded.map(markKey)))

    // The export worker was killed too, maybe between the gateway's ack and marking the rows
    // exported: the gateway keys events by id, so it still holds each once.
    const received = await pipeline.waitForReceived(recorded.length, 60_000)
    expect(duplicates(received.map(item => item.id))).toEqual([])
    expect(received.map(item => item.id).sort()).toEqual([...ids].sort())

    const counts = await reportCounts(testInfo, pipeline, recorded.length, {
      storedAtKill,
      unacknowledged,
      clientRetries: (await clientStats(page)).retries,
    })
    // The batch whose answer was lost came again, and was recognised.
    expect(counts.duplicatesSent).toBeGreaterThanOrEqual(unacknowledged)
  } finally {
    // What the restarted server printed (its export log); the config's own servers print
    // only to stderr.
    await testInfo.attach('restarted-instance.log', { body: await server.stop() })
  }
})
