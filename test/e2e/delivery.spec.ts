import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Page, Route } from '@playwright/test'
import { summarize, type Collector } from './support/collector.js'
import { duplicates } from './support/duplicates.js'
import { expect, openApp, record, sorted, test } from './support/fixtures.js'

// Every assertion is on what reached the collector: ids, counts, duplicates and timing on
// the wire, compared with the ids the page minted (captured by a processor in the page).

const eventsRoute = '**/.api/telemetry/events'

function note(type: string, description: string) {
  test.info().annotations.push({ type, description })
}

/** Ids of requests answered while no page could read the answer. */
function idsAnsweredBetween(collector: Collector, from: number, to: number): Set<string> {
  return new Set(
    collector.requests.filter(r => r.answeredAt >= from && r.at < to).flatMap(r => r.ids),
  )
}

function stats(page: Page) {
  return page.evaluate(() => window.telemetry.stats())
}

test('recorded events arrive in one batch, each id once', async ({ page, collector }) => {
  await openApp(page, collector)
  const ids = await record(page, 10)
  await page.evaluate(() => window.telemetry.flush())

  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  expect(sorted(collector.receivedIds), summarize(collector.requests)).toEqual(sorted(ids))
  expect(collector.requests.map(r => r.contentType)).toEqual(['application/json'])
})

test('a reload right after recording during a 503 outage loses nothing once the backend recovers', async ({
  page,
  collector,
}) => {
  collector.failWith({ status: 503 })
  // A short interval so that both the page and its reload meet the outage.
  await openApp(page, collector, { flushIntervalMs: 200 })
  const ids = await record(page, 50)
  await page.reload()
  await page.waitForFunction(() => typeof window.telemetry === 'object')
  // The reloaded page records nothing: the queue must resume on its own.
  await sleep(2_000)
  const recoveredAt = performance.now()
  collector.failWith(null)

  await collector.waitForStored(ids.length, 30_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  // Every answer after the recovery reached a live page: no acknowledged id may come twice.
  const acknowledged = collector.requests.filter(r => r.acknowledged).flatMap(r => r.ids)
  expect(duplicates(acknowledged)).toEqual([])
  note(
    'wire',
    `${duplicates(collector.receivedIds).length} duplicate ids in receivedIds (resends after 503s); ` +
      `${collector.requests.filter(r => r.at >= recoveredAt).length} POSTs after recovery; ` +
      summarize(collector.requests),
  )
})

test('three tabs recording at once deliver every id once', async ({ context, page, collector }) => {
  const pages = [page, await context.newPage(), await context.newPage()]
  for (const tab of pages) await openApp(tab, collector)
  const ids = (await Promise.all(pages.map(tab => record(tab, 100)))).flat()
  expect(new Set(ids).size).toBe(300)

  await collector.waitForStored(ids.length, 30_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  // No page went away, so no answer was lost and nothing may be sent twice.
  expect(duplicates(collector.receivedIds), summarize(collector.requests)).toEqual([])
})

test('three tabs never have two sends in flight at once', async ({ context, page, collector }) => {
  // Slow answers make overlapping senders visible at the collector.
  collector.setResponseDelay(300)
  const pages = [page, await context.newPage(), await context.newPage()]
  for (const tab of pages) await openApp(tab, collector)
  const ids = (await Promise.all(pages.map(tab => record(tab, 100)))).flat()

  await collector.waitForStored(ids.length, 30_000)
  expect(collector.maxConcurrentRequests, summarize(collector.requests)).toBe(1)
})

const leaves = [
  {
    how: 'closed',
    leave: async (page: Page) => {
      const closed = page.waitForEvent('close')
      await page.close({ runBeforeUnload: true })
      await closed
    },
    // The next load happens in a new tab of the same browser profile.
    comeBack: (page: Page) => page.context().newPage(),
  },
  {
    how: 'navigated away',
    leave: async (page: Page) => {
      await page.goto('about:blank')
    },
    comeBack: (page: Page) => Promise.resolve(page),
  },
]

for (const { how, leave, comeBack } of leaves) {
  test(`events recorded right before the page is ${how} arrive by keepalive or at the next load`, async ({
    page,
    collector,
  }) => {
    // The default 5 s interval: nothing is sent before the page goes away.
    await openApp(page, collector)
    const ids = await record(page, 20)
    const leftAt = performance.now()
    await leave(page)
    const byKeepalive = await collector.waitForStored(ids.length, 3_000).then(
      () => true,
      () => false,
    )
    const storedBeforeNextLoad = collector.storedIds.length

    const nextLoadAt = performance.now()
    const next = await comeBack(page)
    await openApp(next, collector)
    await collector.waitForStored(ids.length, 15_000)

    expect(sorted(collector.storedIds)).toEqual(sorted(ids))
    // Only a batch whose answer went to a page that was gone may arrive twice.
    const lostAnswers = idsAnsweredBetween(collector, leftAt, nextLoadAt)
    const resentWithoutCause = duplicates(collector.receivedIds).filter(id => !lostAnswers.has(id))
    expect(resentWithoutCause, summarize(collector.requests)).toEqual([])
    note(
      'wire',
      `${byKeepalive ? 'all' : storedBeforeNextLoad} of ${ids.length} stored before the next load ` +
        `(${collector.requests.filter(r => r.contentType === 'text/plain').length} text/plain POSTs); ` +
        summarize(collector.requests),
    )
  })
}

for (const { how, leave } of leaves) {
  test(`a page ${how} sends each queued event at most once on its way out`, async ({
    page,
    collector,
  }) => {
    await openApp(page, collector)
    const ids = await record(page, 20)
    await leave(page)
    // Time for every unload send to land. No page of the app loads again, so no answer
    // can have been lost before a resend: one unload must not send an event twice
    // (visibilitychange→hidden and pagehide both fire on the way out).
    await sleep(3_000)

    expect(duplicates(collector.receivedIds), summarize(collector.requests)).toEqual([])
    note('wire', `${ids.length} recorded; ${summarize(collector.requests)}`)
  })
}

/** Init scripts that break IndexedDB the ways browsers do, before the page's scripts run. */
const idbFailures: { name: string; breakIndexedDB: () => void }[] = [
  {
    // Old private windows; some embedded webviews.
    name: 'IndexedDB is missing',
    breakIndexedDB: () => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })
    },
  },
  {
    name: 'indexedDB.open throws',
    breakIndexedDB: () => {
      IDBFactory.prototype.open = () => {
        throw new DOMException(
          'The user denied permission to access the database.',
          'SecurityError',
        )
      }
    },
  },
  {
    // The open request fires `error` (AbortError) instead of `success`.
    name: 'the open request fails',
    breakIndexedDB: () => {
      const open = indexedDB.open.bind(indexedDB)
      IDBFactory.prototype.open = (name: string, version?: number) => {
        const request = open(name, version)
        request.addEventListener('upgradeneeded', event => {
          event.stopImmediatePropagation()
          request.transaction?.abort()
        })
        return request
      }
    },
  },
  {
    // A blocked open: another tab holds an older version open and never lets go.
    name: 'the open never completes',
    breakIndexedDB: () => {
      const open = indexedDB.open.bind(indexedDB)
      IDBFactory.prototype.open = (name: string, version?: number) => {
        const request = open(name, version)
        for (const type of ['upgradeneeded', 'success', 'error', 'blocked']) {
          request.addEventListener(type, event => {
            event.stopImmediatePropagation()
          })
        }
        return request
      }
    },
  },
  {
    name: 'writes fail with QuotaExceededError',
    breakIndexedDB: () => {
      const refuse = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      }
      IDBObjectStore.prototype.put = refuse
      IDBObjectStore.prototype.add = refuse
    },
  },
]

for (const { name, breakIndexedDB } of idbFailures) {
  test(`when ${name}, recording goes on in memory and events are delivered`, async ({
    page,
    collector,
    pageErrors,
  }) => {
    await page.addInitScript(breakIndexedDB)
    await openApp(page, collector)
    const ids = await record(page, 10)
    // Not awaited in the page: a flush stuck behind the broken store must not hang the test.
    await page.evaluate(() => {
      void window.telemetry.flush()
    })

    await collector.waitForStored(ids.length, 15_000)
    expect(sorted(collector.storedIds)).toEqual(sorted(ids))
    expect((await stats(page)).storage).toBe('memory')
    const reported = await page.evaluate(() => window.tallyErrors)
    // The fallback is said once (the page turns off onError's rate limit).
    expect(
      reported.filter(error => error.startsWith('StorageError')),
      reported.join('\n'),
    ).toHaveLength(1)
    expect(pageErrors).toEqual([])
    expect(await page.evaluate(() => window.unhandled)).toEqual([])
  })
}

test('Retry-After: 2 on a 503 holds the next send for 2 s', async ({ page, collector }) => {
  collector.failWith({ status: 503, retryAfter: '2' })
  await openApp(page, collector)
  const ids = await record(page, 10)
  await page.evaluate(() => window.telemetry.flush())
  await collector.waitForRequests(1, 10_000)
  collector.failWith(null)

  await collector.waitForStored(ids.length, 15_000)
  const [first, second] = collector.requests
  expect(first?.status).toBe(503)
  expect(second, summarize(collector.requests)).toBeDefined()
  if (first === undefined || second === undefined) return
  expect(second.at - first.answeredAt, summarize(collector.requests)).toBeGreaterThanOrEqual(2_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
})

test('a network cut of 20 s causes no request storm, and delivery resumes when it returns', async ({
  page,
  collector,
}) => {
  await openApp(page, collector)
  let attempts = 0
  const cut = (route: Route) => {
    attempts++
    return route.abort('internetdisconnected')
  }
  await page.route(eventsRoute, cut)
  const startedAt = performance.now()
  const ids: string[] = []
  while (performance.now() - startedAt < 20_000) {
    ids.push(...(await record(page, 5)))
    await sleep(1_000)
  }
  await page.unroute(eventsRoute, cut)
  const attemptsWhileCut = attempts
  note('wire', `${attemptsWhileCut} attempts during the 20 s cut, ${ids.length} events recorded`)

  expect(collector.requests).toEqual([])
  // Full jitter from 1 s doubling: about 5 attempts in 20 s; 10 would be a storm.
  expect(attemptsWhileCut).toBeGreaterThanOrEqual(1)
  expect(attemptsWhileCut).toBeLessThanOrEqual(10)

  // The retry already scheduled comes within one backoff ceiling: 1 s × 2^(attempts − 1).
  const ceilingMs = Math.min(300_000, 1_000 * 2 ** (attemptsWhileCut - 1))
  test.setTimeout(test.info().timeout + ceilingMs)
  await collector.waitForStored(ids.length, ceilingMs + 10_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  expect(duplicates(collector.receivedIds), summarize(collector.requests)).toEqual([])
})
