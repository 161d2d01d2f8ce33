import type { Page, Request } from '@playwright/test'
import type { Telemetry } from '../../../src/index.js'
import { markKey, marks, recordMarked, storedMarks } from './marked-events.js'
import { duplicates, expect, test } from './support.js'

/** The Content-Encoding of each event POST the page makes, in order; '' for none. */
function eventPostEncodings(page: Page, instanceUrl: string): Promise<string>[] {
  const encodings: Promise<string>[] = []
  page.on('request', (request: Request) => {
    if (request.method() !== 'POST') return
    if (!request.url().startsWith(`${instanceUrl}/.api/telemetry/events`)) return
    encodings.push(request.allHeaders().then(headers => headers['content-encoding'] ?? ''))
  })
  return encodings
}

const flush = (page: Page) =>
  page.evaluate(() => (window as unknown as { telemetry: Telemetry }).telemetry.flush())

test('Chromium gzips a batch over a kilobyte and sends a small one plain; the instance stores both', async ({
  page,
  pipeline,
}) => {
  const encodings = eventPostEncodings(page, pipeline.instanceUrl)
  await pipeline.openDemo(page, 'olga')

  const large = marks(0, 0, 60)
  await recordMarked(page, large)
  await flush(page)
  await pipeline.waitForStored(large.length)

  const small = marks(0, large.length, 1)
  await recordMarked(page, small)
  await flush(page)
  const stored = await pipeline.waitForStored(large.length + small.length)

  expect(await Promise.all(encodings)).toEqual(['gzip', ''])
  expect(duplicates(stored.map(event => event.id))).toEqual([])
  expect(storedMarks(stored).sort()).toEqual([...large, ...small].map(markKey).sort())
})
