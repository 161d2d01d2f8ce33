import { newId } from './ids.js'
import { InvalidOptionsError } from './errors/invalid-options-error.js'
import { StorageError } from './errors/storage-error.js'
import { normalizeOptions, type TelemetryOptions } from './options.js'
import { browserPlatform, pageOrigin } from './platform/browser.js'
import type { SendLock } from './platform/platform.js'
import { createTelemetryClient, type Telemetry } from './telemetry.js'
import { loadJudge } from './lazy-judge.js'
import { createFallbackStore } from './stores/fallback-store.js'
import { openIndexedDbStore, type IndexedDbStore } from './stores/indexeddb-store.js'
import { fromSendingChunk } from './sending-chunk.js'
import { createHttpTransport } from './transport/lazy-http-transport.js'

/**
 * The cross-tab lock, taken by senders only: Web Locks, or a lease in the queue's database
 * where they are missing (`store`), or none for a queue of the page's own.
 */
function lazyLock(store: Promise<IndexedDbStore> | undefined, owner: string): SendLock {
  const lock = fromSendingChunk(chunk => chunk.browserLock(store, owner))
  return {
    run: fn =>
      lock().then(async taken => {
        if (taken) return taken.run(fn)
        await fn()
        return true
      }),
  }
}

/**
 * Creates the client for a web app or webview: events wait in IndexedDB (in memory where it
 * fails), one tab at a time sends them to `baseUrl` (the page's origin by default), and a
 * page that goes away sends or spills what it holds.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  // Every option is checked before IndexedDB is opened: a bad one leaves nothing behind.
  const resolved = normalizeOptions(options)
  let { transport } = options
  if (!transport) {
    const baseUrl = resolved.baseUrl ?? pageOrigin()
    if (baseUrl === undefined) {
      throw new InvalidOptionsError('baseUrl', 'is required outside a web page')
    }
    transport = createHttpTransport({ baseUrl })
  }
  const tab = newId()
  // The judge's chunk, asked for now: small, and here by the first write in all but a slow
  // start. A failed fetch is tried again at a later write, once lazy-chunk.ts's wait is over.
  loadJudge().catch(() => {})
  const durable = options.store
    ? undefined
    : openIndexedDbStore({
        bounds: { maxEvents: resolved.maxQueueEvents, maxBytes: resolved.maxQueueBytes },
      })
  // Leases are only asked for where Web Locks are missing; a failed open is handled by the
  // fallback store, not here.
  durable?.catch(() => {})
  return createTelemetryClient(resolved, {
    transport,
    store:
      options.store ??
      (({ bounds, report }) =>
        createFallbackStore(
          durable as Promise<IndexedDbStore>,
          // Only a page whose IndexedDB fails needs it: it comes with the sender's chunk.
          fromSendingChunk(chunk => chunk.createMemoryStore(bounds)),
          cause => {
            report(new StorageError('IndexedDB unavailable; queueing in memory', { cause }))
          },
        )),
    platform: browserPlatform(tab, lazyLock(durable, tab)),
  })
}
