import { readFile, readdir, rm } from 'node:fs/promises'
import type { BrowserContext } from '@playwright/test'
import type { Collector } from './support/collector.js'
import { join } from 'node:path'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import { rollup } from 'rollup'
import { builtEntry } from './support/bundle.js'
import { duplicates } from './support/duplicates.js'
import { expect, sorted, test } from './support/fixtures.js'
import {
  judgeChunkOf,
  senderChunkOf,
  serveApp,
  type BuiltApp,
  type SplitPage,
} from './support/split-app.js'

// The browser entry as an app's bundler ships it: rollup with no configuration beyond
// resolving packages, ESM out, so that `import('./sending.js')` stays a chunk of its own.

const outDir = join(import.meta.dirname, '..', '..', 'test-results', 'e2e-sender-chunk')

async function bundleSplit(): Promise<BuiltApp & { chunk: string }> {
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
  const app: BuiltApp = { files, entry: 'app.js', kind: 'exports' }
  const chunk = senderChunkOf(app)
  if (chunk === undefined) throw new Error(`no sender chunk among ${[...files.keys()].join(', ')}`)
  return { ...app, chunk }
}

/** A first page records 20 events and goes away while `hold` never arrive; resolves with their ids. */
async function recordAndLeave(
  context: BrowserContext,
  split: BuiltApp,
  collector: Collector,
  hold: string[],
): Promise<string[]> {
  const first = await context.newPage()
  const held = await serveApp(first, split, collector.url, hold)
  const ids = await first.evaluate(() => (window as unknown as SplitPage).recordSome(20))
  expect(ids).toHaveLength(20)
  // The client asked for what is held (an idle period came), and it never arrived.
  await expect.poll(() => held.length, { timeout: 5_000 }).toBeGreaterThan(0)
  await first.close({ runBeforeUnload: true })
  expect(collector.receivedIds).toEqual([])
  return ids
}

/** The next load, with every chunk: each of `ids` stored once, none sent twice. */
async function nextLoadStoresEachOnce(
  context: BrowserContext,
  split: BuiltApp,
  collector: Collector,
  ids: string[],
) {
  const next = await context.newPage()
  await serveApp(next, split, collector.url)
  await collector.waitForStored(ids.length, 15_000)
  // Give a late resend the time to show up.
  await next.waitForTimeout(1_000)
  expect(sorted(collector.storedIds)).toEqual(sorted(ids))
  expect(duplicates(collector.receivedIds)).toEqual([])
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

  const ids = await recordAndLeave(context, split, collector, [split.chunk])
  await nextLoadStoresEachOnce(context, split, collector, ids)
})

test('the events wait scrubbed in IndexedDB and the spill until the sender comes', async ({
  context,
  collector,
}) => {
  const split = await bundleSplit()
  const page = await context.newPage()
  await serveApp(page, split, collector.url, [split.chunk])
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

test('a page that records and unloads before even the judge has loaded loses nothing, and spills no secret', async ({
  context,
  collector,
}) => {
  const split = await bundleSplit()
  const judge = judgeChunkOf(split)
  if (judge === undefined) throw new Error('no judge chunk')
  // Validation is no part of what loads before recording.
  expect(split.files.get(split.entry)).not.toContain('nests deeper than')

  const ids = await recordAndLeave(context, split, collector, [split.chunk, judge])

  // What the unload kept, read before any client takes it: scrubbed copies of all 20.
  const reader = await context.newPage()
  await reader.goto(`${collector.url}/split/nothing-here`)
  const spilled = await reader.evaluate(() =>
    Object.keys(localStorage)
      .map(key => localStorage.getItem(key) ?? '')
      .join('\n'),
  )
  await reader.close()
  expect(spilled).not.toContain('hunter2')
  expect(spilled).toContain('[redacted:assignment]')
  for (const id of ids) expect(spilled).toContain(id)
  await nextLoadStoresEachOnce(context, split, collector, ids)
})
