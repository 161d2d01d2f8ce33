import type { Page } from '@playwright/test'
import { duplicates, expect, reportCounts, test, type Pipeline } from './support.js'

/** The journey of the issue: a search, a jump to a definition, the notebook. */
async function journey(page: Page, query: string): Promise<void> {
  await page.getByTestId('search-input').fill(query)
  await page.getByTestId('search-submit').click()
  await page.getByTestId('goto-definition').first().click()
  await page.getByTestId('nav-notebook').click()
  await expect(page).toHaveURL(/#\/notebook$/)
}

const expectedEvents = [
  'search/submitted',
  'blob.codeintel/goToDefinition',
  'notebook/viewed',
].sort()

async function storedOnceForUser(pipeline: Pipeline, user: string) {
  const stored = await pipeline.waitForStored(expectedEvents.length)
  const ids = stored.map(event => event.id)
  expect(duplicates(ids)).toEqual([])
  expect(stored.map(event => `${event.feature}/${event.action}`).sort()).toEqual(expectedEvents)
  const userId = pipeline.userId(user)
  expect(typeof userId).toBe('number')
  for (const event of stored) {
    expect(event.userId).toBe(userId)
    expect(event.subject).toBe(`session:${pipeline.demoUser(user)}`)
  }
  return { stored, userId: userId as number }
}

test.describe('the demo journey, exported in redact mode with the default allowlist', () => {
  test('each event is stored once with the numeric user and reaches the gateway without privateMetadata', async ({
    page,
    pipeline,
  }, testInfo) => {
    const query = 'parseQuery'
    await pipeline.openDemo(page, 'alice')
    await journey(page, query)

    const { stored, userId } = await storedOnceForUser(pipeline, 'alice')
    const search = stored.find(event => event.feature === 'search')
    // The instance keeps the query (privateMetadata stays home, not out of the store).
    expect(JSON.stringify(search?.payload.parameters.privateMetadata)).toContain(query)

    const received = await pipeline.waitForReceived(expectedEvents.length)
    expect(duplicates(received.map(item => item.id))).toEqual([])
    expect(received.map(item => item.id).sort()).toEqual(stored.map(event => event.id).sort())
    for (const { event } of received) {
      expect(event.userId).toBe(userId)
      expect(event.parameters.privateMetadata).toBeUndefined()
    }
    expect(JSON.stringify(received)).not.toContain(query)
    const searchAtGateway = received.find(item => item.event.feature === 'search')
    expect(searchAtGateway?.event.parameters.metadata).toMatchObject({ regex: 0 })

    // Nothing left to export, and the page says so.
    await expect.poll(async () => (await pipeline.adminStatus()).stats.backlog).toBe(0)
    await expect(page.getByTestId('stats-sent')).toHaveText(String(expectedEvents.length))
    await expect(page.getByTestId('stats-queued')).toHaveText('0')
    await pipeline.screenshot(page, 'demo-journey')

    const admin = await page.context().newPage()
    await pipeline.openAdmin(admin)
    await expect(admin.getByTestId('backlog')).toHaveText('0')
    await pipeline.screenshot(admin, 'admin-journey')

    // Another user gets another numeric id.
    const bobPage = await page.context().browser()?.newPage()
    if (bobPage === undefined) throw new Error('no browser')
    try {
      await pipeline.openDemo(bobPage, 'bob')
      await bobPage.getByTestId('nav-notebook').click()
      const all = await pipeline.waitForStored(expectedEvents.length + 1)
      const bobId = pipeline.userId('bob')
      expect(bobId).not.toBe(userId)
      expect(all.filter(event => event.userId === bobId)).toHaveLength(1)
    } finally {
      await bobPage.close()
    }

    // alice's three events and bob's notebook.
    await reportCounts(testInfo, pipeline, expectedEvents.length + 1)
  })
})

test.describe('the demo journey with search::submitted::query allowlisted', () => {
  test.use({ instance: 'allowlisted' })

  test('the query leaves as ‹×›, never as text', async ({ page, pipeline }, testInfo) => {
    const query = 'useState'
    await pipeline.openDemo(page, 'carol')
    await journey(page, query)

    const { stored, userId } = await storedOnceForUser(pipeline, 'carol')
    const received = await pipeline.waitForReceived(expectedEvents.length)
    expect(received.map(item => item.id).sort()).toEqual(stored.map(event => event.id).sort())
    for (const { event } of received) {
      expect(event.userId).toBe(userId)
      if (event.feature === 'search') {
        expect(event.parameters.privateMetadata).toEqual({ query: '‹×›' })
      } else {
        expect(event.parameters.privateMetadata).toBeUndefined()
      }
    }
    expect(JSON.stringify(received)).not.toContain(query)

    await reportCounts(testInfo, pipeline, expectedEvents.length)
  })
})

test.describe('the admin page before the export runs', () => {
  // One export at start (nothing to send yet), the next long after the run.
  test.use({ instance: 'held' })

  test('shows the next export as it would leave, beside what redaction removed', async ({
    page,
    pipeline,
  }, testInfo) => {
    const query = 'renderTemplate'
    await pipeline.openDemo(page, 'heidi')
    await journey(page, query)
    const { stored } = await storedOnceForUser(pipeline, 'heidi')
    const search = stored.find(event => event.feature === 'search')
    if (search === undefined) throw new Error('no search event stored')

    const response = await fetch(`${pipeline.instanceUrl}/admin/api/preview`, {
      headers: { authorization: `Bearer ${pipeline.adminToken}` },
    })
    expect(response.status).toBe(200)
    const preview = (await response.json()) as {
      mode: string
      items: {
        exported: { id: string; parameters: object }
        removed: { path: string[]; kind: string }[]
      }[]
    }
    expect(preview.mode).toBe('redact')
    expect(preview.items.map(item => item.exported.id).sort()).toEqual(
      stored.map(event => event.id).sort(),
    )
    for (const item of preview.items) {
      expect(JSON.stringify(item.exported)).not.toContain(query)
      expect(item.removed).toEqual(
        item.exported.id === search.id
          ? [{ path: ['parameters', 'privateMetadata', 'query'], kind: 'not-allowlisted' }]
          : [],
      )
    }

    const admin = await page.context().newPage()
    await pipeline.openAdmin(admin)
    await expect(admin.getByTestId('backlog')).toHaveText(String(expectedEvents.length))
    await expect(admin.getByTestId('preview-row')).toHaveCount(expectedEvents.length)
    const searchRow = admin.locator(`[data-testid="preview-row"][data-event-id="${search.id}"]`)
    await expect(searchRow.getByTestId('exported')).not.toContainText(query)
    // What stays home is shown to the admin, beside the event.
    await expect(searchRow.getByTestId('removed')).toContainText(query)
    await pipeline.screenshot(admin, 'admin-preview')
    await pipeline.screenshot(page, 'demo-notebook')

    await reportCounts(testInfo, pipeline, expectedEvents.length)
  })
})
