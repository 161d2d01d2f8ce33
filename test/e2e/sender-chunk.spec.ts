import { readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import type { Page, Route } from '@playwright/test'
import { rollup } from 'rollup'
import { builtEntry } from './support/bundle.js'
import { duplicates } from './support/duplicates.js'
import { expect, sorted, test } from './support/fixtures.js'

// The browser entry as an app's bundler ships it: rollup with no configuration beyond
// resolving packages, ESM out, so that `import('./sending.js')` stays a chunk of its own.

const outDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e-sender-chunk')

interface Split {
  entry: string
  /** The chunk that holds the sender (ky, whose HTTPError marks it): fetched only when sending is due. */
  chunk: string
  files: Map<string, string>
}

async function bundleSplit(): Promise<Split> {
  await rm(outDir, { recursive: true, force: true })
  const bundle = await rollup({
    input: builtEntry,
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser'] })],
  })
  try {
    await bundle.write({ dir: outDir, format: 'es', entryFileNames: 'app.js' })
  } finally {
    await bundle.close()
  }
  const files = new Map<string, string>()
  for (const name of await readdir(outDir)) {
    if (name.endsWith('.js')) files.set(name, await readFile(join(outDir, name), 'utf8'))
  }
  const chunk = [...files.keys()].find(
    name => name !== 'app.js' && (files.get(name) ?? '').includes('HTTPError'),
  )
  if (chunk === undefined) throw new Error(`no sender chunk among ${[...files.keys()].join(', ')}`)
  return { entry: 'app.js', chunk, files }
}

type SplitPage = Window & { ready?: boolean; recordSome(count: number): Promise<string[]> }

const pageHtml = (baseUrl: string) => `<!doctype html>
<meta charset="utf-8"><title>sender chunk</title>
<script type="module">
import { createTelemetry } from './app.js'
window.recorded = []
window.telemetry = createTelemetry({
  client: { name: 'e2e' },
  baseUrl: ${JSON.stringify(baseUrl)},
  processors: [{ name: 'capture', process(event) { window.recorded.push(event.id) } }],
})
window.recordSome = async count => {
  const from = window.recorded.length
  for (let index = 0; index < count; index++) {
    window.telemetry.recordEvent('e2e', 'recorded', {
      version: 1,
      metadata: { index },
      privateMetadata: { note: 'token=' + 'hunter2hunter2' + index },
    })
  }
  // Processors run in the batched step at the end of the task.
  await new Promise(resolve => setTimeout(resolve, 0))
  return window.recorded.slice(from)
}
window.ready = true
</script>`

/**
 * Serves the app under /split/ on the collector's origin (so that IndexedDB, localStorage and
 * the events endpoint are the collector's); `holdChunk` leaves the sender's chunk unanswered.
 */
async function serve(page: Page, split: Split, baseUrl: string, holdChunk: boolean) {
  const held: Route[] = []
  await page.route('**/split/**', async route => {
    const name = new URL(route.request().url()).pathname.replace('/split/', '')
    if (name === '' || name === 'index.html') {
      await route.fulfill({ contentType: 'text/html', body: pageHtml(baseUrl) })
      return
    }
    if (holdChunk && name === split.chunk) {
      held.push(route)
      return
    }
    const body = split.files.get(name)
    if (body === undefined) await route.fulfill({ status: 404 })
    else await route.fulfill({ contentType: 'text/javascript', body })
  })
  await page.goto(`${baseUrl}/split/`)
  await page.waitForFunction(() => (window as unknown as SplitPage).ready === true)
  return held
}

test('a page that records and unloads before the sender chunk has loaded loses nothing', async ({
  context,
  collector,
}) => {
  const split = await bundleSplit()
  // The split survives a bundler run without configuration: the chunk is its own file.
  expect(split.files.get(split.entry)).not.toContain('HTTPError')
  // Nor does the page load the queue's read side before it sends: idb comes with the sender.
  expect(split.files.get(split.entry)).not.toContain('reverseTransformCache')
  expect(split.files.get(split.chunk)).toContain('reverseTransformCache')

  const first = await context.newPage()
  const held = await serve(first, split, collector.url, true)
  const ids = await first.evaluate(() => (window as unknown as SplitPage).recordSome(20))
  expect(ids).toHaveLength(20)
  // The client asked for the chunk (an idle period came), and it never arrived.
  await expect.poll(() => held.length, { timeout: 5_000 }).toBeGreaterThan(0)
  await first.close({ runBeforeUnload: true })
  expect(collector.receivedIds).toEqual([])

  const next = await context.newPage()
  await serve(next, split, collector.url, false)
  await collector.waitForStored(20, 15_000)
  // Give a late resend the time to show up.
  await next.waitForTimeout(1_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  expect(duplicates(collector.receivedIds)).toEqual([])
})

test('the events wait scrubbed in IndexedDB and the spill until the sender comes', async ({
  context,
  collector,
}) => {
  const split = await bundleSplit()
  const page = await context.newPage()
  await serve(page, split, collector.url, true)
  await page.evaluate(() => (window as unknown as SplitPage).recordSome(5))
  const readStorage = () =>
    page.evaluate(async () => {
      const texts = Object.keys(localStorage).map(key => localStorage.getItem(key) ?? '')
      for (const { name } of await indexedDB.databases()) {
        if (name === undefined) continue
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(name)
          open.onsuccess = () => resolve(open.result)
          open.onerror = () => reject(open.error ?? new Error('open failed'))
        })
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).getAll()
            request.onsuccess = () => resolve(request.result)
            request.onerror = () => reject(request.error ?? new Error('read failed'))
          })
          texts.push(JSON.stringify(all))
        }
        db.close()
      }
      return texts.join('\n')
    })
  // Written in the batched step, with no sender yet to take them away.
  await expect.poll(readStorage, { timeout: 5_000 }).toContain('[redacted:assignment]')
  const held = await readStorage()
  expect(held).not.toContain('hunter2')
})
