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
    await record(2)
    // Killed as the next batch leaves: it may be stored, answered, both or neither.
    const sending = page.waitForRequest(
      request => request.method() === 'POST' && request.url().endsWith('/.api/telemetry/events'),
    )
    await record(3)
    await sending
    await pipeline.carryCounters()
    await server.kill()
    const storedAtKill = pipeline.stored().length

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

    await reportCounts(testInfo, pipeline, recorded.length, {
      storedAtKill,
      clientRetries: (await clientStats(page)).retries,
    })
  } finally {
    // What the restarted server printed (its export log); the config's own servers print
    // only to stderr.
    await testInfo.attach('restarted-instance.log', { body: await server.stop() })
  }
})
