// Events the robustness tests record in bulk through the demo's client, each told apart by
// its numeric metadata (tab, seq): the ids are minted in the page, so the test names what it
// recorded by these marks and finds them again in the instance's rows.
import type { Page } from '@playwright/test'
import type { Telemetry } from '../../../src/index.js'
import type { StoredEvent } from './instance-db.js'

export interface Mark {
  tab: number
  seq: number
}

export const markKey = ({ tab, seq }: Mark) => `${tab}:${seq}`

/** `count` marks of one tab, numbered from `from`. */
export function marks(tab: number, from: number, count: number): Mark[] {
  return Array.from({ length: count }, (_, i) => ({ tab, seq: from + i }))
}

/** Waits for the demo's client (`window.telemetry`, set for the e2e tests) after a (re)load. */
export async function clientReady(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(() => 'telemetry' in window, undefined, { timeout: timeoutMs })
}

/** The demo client's `stats()`. */
export function clientStats(page: Page): Promise<ReturnType<Telemetry['stats']>> {
  return page.evaluate(() => (window as unknown as { telemetry: Telemetry }).telemetry.stats())
}

/** Records one `pipeline/recorded` event per mark, synchronously in one task of the page. */
export async function recordMarked(page: Page, recorded: readonly Mark[]): Promise<void> {
  await clientReady(page)
  await page.evaluate(recorded => {
    const { telemetry } = window as unknown as { telemetry: Telemetry }
    for (const { tab, seq } of recorded) {
      telemetry.recordEvent('pipeline', 'recorded', { version: 1, metadata: { tab, seq } })
    }
  }, recorded)
}

/** The marks of the stored `pipeline/recorded` events, one per row. */
export function storedMarks(events: readonly StoredEvent[]): string[] {
  return events
    .filter(event => event.feature === 'pipeline' && event.action === 'recorded')
    .map(event => {
      const { tab, seq } = event.payload.parameters.metadata ?? {}
      return markKey({ tab: tab ?? -1, seq: seq ?? -1 })
    })
}
