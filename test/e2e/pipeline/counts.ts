// What each pipeline test reports for the closing note.
import { expect, type TestInfo } from '@playwright/test'
import { duplicates } from '../support/duplicates.js'
import type { Pipeline } from './support.js'

export interface EventCounts {
  recorded: number
  /** This test's rows in the instance's `events` table. */
  stored: number
  /** Events that reached the instance more than once (its ingest `duplicate` counter). */
  duplicatesSent: number
  /** The same, as far as the test saw answers reach a page (a closing page's keepalive answer is not seen). */
  duplicatesSeenLeaving: number
  /** Event copies the test saw acknowledged to a page, duplicates included. */
  seenLeaving: number
  /** Ids stored in more than one row. */
  duplicatesStored: number
}

/**
 * Counts what the closing note asks for, writes them as an attachment and on stdout,
 * and checks the instance's own counters agree with its table. `extra` figures (request
 * counts, timings) are printed beside them.
 */
export async function reportCounts(
  testInfo: TestInfo,
  pipeline: Pipeline,
  recorded: number,
  extra: Record<string, number | string> = {},
): Promise<EventCounts> {
  const ids = pipeline.stored().map(event => event.id)
  const ingest = await pipeline.ingestCounts()
  const counts: EventCounts = {
    recorded,
    stored: ids.length,
    duplicatesSent: ingest.duplicate,
    duplicatesSeenLeaving: duplicates(pipeline.sentIds()).length,
    seenLeaving: pipeline.sentIds().length,
    duplicatesStored: duplicates(ids).length,
  }
  const report = { ...counts, ...extra }
  await testInfo.attach('counts.json', {
    body: JSON.stringify(report, null, 2),
    contentType: 'application/json',
  })
  process.stdout.write(`${testInfo.title}: ${JSON.stringify(report)}\n`)
  expect(ingest.stored).toBe(ids.length)
  expect(ingest.rejected).toBe(0)
  return counts
}
