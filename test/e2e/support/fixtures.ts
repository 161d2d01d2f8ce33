import { test as base, type Page } from '@playwright/test'
import type { Telemetry } from '../../../src/index.js'
import { bundleFile } from './bundle.js'
import { startCollector, type Collector } from './collector.js'

/** What the collector's test page puts on `window` (see `pageHtml` in collector.ts). */
declare global {
  interface Window {
    telemetry: Telemetry
    /** Every id the page minted, in order, captured by a processor. */
    recorded: string[]
    /** Records `count` events and returns their ids. */
    recordMany(count: number): Promise<string[]>
    /** Unhandled rejections seen by the page. */
    unhandled: string[]
    /** `name: message` of every error the client reported through `onError`. */
    tallyErrors: string[]
  }
}

export interface E2eFixtures {
  /** A collector on its own port for this test, closed when the test ends. */
  collector: Collector
  /** Uncaught errors of every page of the test's context, as `pageerror` reported them. */
  pageErrors: string[]
}

export const test = base.extend<E2eFixtures>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern.
  // eslint-disable-next-line no-empty-pattern
  collector: async ({}, use, testInfo) => {
    const collector = await startCollector({ bundleFile })
    await use(collector)
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('collector-requests.json', {
        // Ids are counted, not listed: the first and last identify a batch well enough.
        body: JSON.stringify(
          collector.requests.map(({ ids, ...request }) => ({
            ...request,
            idCount: ids.length,
            firstId: ids[0],
            lastId: ids.at(-1),
          })),
          null,
          2,
        ),
        contentType: 'application/json',
      })
    }
    await collector.close()
  },
  pageErrors: [
    async ({ context }, use, testInfo) => {
      const errors: string[] = []
      const watch = (page: Page) => {
        page.on('pageerror', error => errors.push(error.stack ?? error.message))
      }
      context.pages().forEach(watch)
      context.on('page', watch)
      await use(errors)
      if (testInfo.status !== testInfo.expectedStatus) {
        const pages = await Promise.all(context.pages().map(describePage))
        await testInfo.attach('pages.json', {
          body: JSON.stringify({ pageErrors: errors, pages }, null, 2),
          contentType: 'application/json',
        })
      }
    },
    // Always on, so that every failure comes with the client's own account of it.
    { auto: true },
  ],
})

/** What a page's client says about itself: its counters and the errors it reported. */
async function describePage(page: Page): Promise<unknown> {
  try {
    return await page.evaluate(async () => ({
      url: location.href,
      stats: typeof window.telemetry === 'object' ? window.telemetry.stats() : 'no client',
      recorded: Array.isArray(window.recorded) ? window.recorded.length : 0,
      tallyErrors: Array.isArray(window.tallyErrors) ? window.tallyErrors : [],
      unhandled: Array.isArray(window.unhandled) ? window.unhandled : [],
      localStorage: Object.fromEntries(
        Object.keys(localStorage).map(key => [key, localStorage.getItem(key)?.length ?? 0]),
      ),
      indexedDB:
        typeof indexedDB === 'undefined'
          ? 'missing'
          : await Promise.race([
              indexedDB.databases(),
              new Promise(resolve => setTimeout(resolve, 1_000, 'no answer in 1 s')),
            ]).catch((error: unknown) => String(error)),
    }))
  } catch (error) {
    return { url: page.url(), unreadable: String(error) }
  }
}

export { expect } from '@playwright/test'

/** Opens the collector's test page and waits until `window.telemetry` exists. */
export async function openApp(
  page: Page,
  collector: Collector,
  options: Record<string, unknown> = {},
): Promise<void> {
  await page.goto(collector.pageUrl(options))
  // The inline script runs before `load`: a missing client means it threw.
  await page.waitForFunction(() => typeof window.telemetry === 'object', undefined, {
    timeout: 5_000,
  })
}

/** Records `count` events in the page and returns their ids. */
export function record(page: Page, count: number): Promise<string[]> {
  return page.evaluate(n => window.recordMany(n), count)
}

export function sorted(ids: readonly string[]): string[] {
  return [...ids].sort()
}
