import { duplicates, expect, reportCounts, test } from './support.js'

test('a tab closed right after recording: the events arrive and are stored once', async ({
  context,
  pipeline,
}, testInfo) => {
  const suffix = String(Date.now())
  const queries = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map(word => `${word}${suffix}`)
  const page = await context.newPage()
  await pipeline.openDemo(page, 'grace')
  for (const query of queries) {
    await page.getByTestId('search-input').fill(query)
    await page.getByTestId('search-submit').click()
    await expect(page.getByTestId('search-summary')).toContainText(query)
  }
  await page.getByTestId('nav-notebook').click()
  const recorded = queries.length + 1
  // Well inside the client's 5 s flush interval: nothing was sent yet.
  await expect(page.getByTestId('stats-sent')).toHaveText('0')
  expect(pipeline.sentIds()).toEqual([])
  await page.close({ runBeforeUnload: true })

  // The keepalive request on pagehide, or else the next load of the app, delivers them.
  let deliveredBy = 'keepalive'
  try {
    await pipeline.waitForStored(recorded, 5_000)
  } catch {
    deliveredBy = 'next load'
    const next = await context.newPage()
    await pipeline.openDemo(next, 'grace')
    await pipeline.waitForStored(recorded, 15_000)
  }
  testInfo.annotations.push({ type: 'delivered by', description: deliveredBy })

  // Give a resend (the next load's queue, a late keepalive) the time to show up, then count.
  const later = await context.newPage()
  await pipeline.openDemo(later, 'grace')
  await expect(later.getByTestId('stats-queued')).toHaveText('0')
  await later.waitForTimeout(1_000)

  const stored = pipeline.stored()
  const ids = stored.map(event => event.id)
  expect(duplicates(ids)).toEqual([])
  expect(stored).toHaveLength(recorded)
  const userId = pipeline.userId('grace')
  for (const event of stored) expect(event.userId).toBe(userId)
  const storedQueries = stored
    .filter(event => event.feature === 'search')
    .map(event => JSON.stringify(event.payload.parameters.privateMetadata))
  for (const query of queries) {
    expect(
      storedQueries.filter(text => text.includes(query)),
      query,
    ).toHaveLength(1)
  }
  expect(stored.filter(event => event.feature === 'notebook')).toHaveLength(1)

  // And each left for the gateway once.
  const received = await pipeline.waitForReceived(recorded)
  expect(received.map(item => item.id).sort()).toEqual([...ids].sort())

  process.stdout.write(`tab closed: delivered by ${deliveredBy}\n`)
  const counts = await reportCounts(testInfo, pipeline, recorded)
  expect(counts.stored).toBe(recorded)
})
