import { duplicates, expect, filesContaining, reportCounts, test } from './support.js'

test.use({ instance: 'off' })

test('off mode: the gateway receives nothing, the instance stores everything', async ({
  page,
  pipeline,
}, testInfo) => {
  const queries = ['parseQuery', 'useEffect', 'handleRequest']
  await pipeline.openDemo(page, 'frank')
  for (const query of queries) {
    await page.getByTestId('search-input').fill(query)
    await page.getByTestId('search-submit').click()
    await expect(page.getByTestId('search-summary')).toContainText(query)
  }
  await page.getByTestId('goto-definition').first().click()
  await page.getByTestId('nav-notebook').click()
  const recorded = queries.length + 2

  const stored = await pipeline.waitForStored(recorded)
  expect(stored).toHaveLength(recorded)
  const ids = stored.map(event => event.id)
  expect(duplicates(ids)).toEqual([])
  const userId = pipeline.userId('frank')
  for (const event of stored) expect(event.userId).toBe(userId)
  const storedQueries = stored
    .filter(event => event.feature === 'search')
    .map(event => JSON.stringify(event.payload.parameters.privateMetadata))
  for (const query of queries) {
    expect(storedQueries.filter(text => text.includes(query))).toHaveLength(1)
  }

  // Many export intervals (300 ms each) pass; the worker runs and sends nothing.
  const status = await pipeline.adminStatus()
  expect(status.mode).toBe('off')
  await page.waitForTimeout(3_000)
  expect(await pipeline.received()).toEqual([])
  for (const id of ids) expect(filesContaining(pipeline.gatewayDir, id)).toEqual([])
  for (const query of queries) expect(filesContaining(pipeline.gatewayDir, query)).toEqual([])
  // The instance still has every event, unchanged by the export worker's runs.
  expect(pipeline.stored().map(event => event.id)).toEqual(ids)

  const admin = await page.context().newPage()
  await pipeline.openAdmin(admin)
  await expect(admin.getByTestId('export-mode')).toHaveText('off')
  await expect(admin.getByTestId('preview-row')).toHaveCount(0)
  await pipeline.screenshot(admin, 'admin-off-mode')

  await reportCounts(testInfo, pipeline, recorded)
})
