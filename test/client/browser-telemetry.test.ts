import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTelemetry } from '../../src/client/browser-telemetry.js'
import { InvalidOptionsError } from '../../src/client/errors/invalid-options-error.js'
import type { TelemetryOptions } from '../../src/client/options.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'
import { acceptAll, createTestTransport } from '../../src/client/transport/test-transport.js'
import { IDBFactory, installIndexedDbClasses } from './stores/fake-indexeddb.js'
import { preloadSender } from '../../src/client/sender/lazy-sender.js'

// Fake timers cannot wait for an import: the sender's chunk is loaded once for the file.
await preloadSender()

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

/**
 * An event target that knows which listeners are still attached: removed one by one, or all
 * at once by aborting the signal they were added with.
 */
class CountingTarget extends EventTarget {
  readonly live = new Set<string>()
  private next = 0
  private readonly keys = new Map<unknown, string>()
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    const key = `${type}#${this.next++}`
    this.keys.set(listener, key)
    this.live.add(key)
    const signal = typeof options === 'object' ? options.signal : undefined
    signal?.addEventListener('abort', () => this.live.delete(key))
    super.addEventListener(type, listener, options)
  }
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    const key = this.keys.get(listener)
    if (key !== undefined) this.live.delete(key)
    super.removeEventListener(type, listener, options)
  }
}

function stubPage() {
  const window = new CountingTarget()
  const document = Object.assign(new CountingTarget(), { visibilityState: 'visible' })
  vi.stubGlobal('window', window)
  vi.stubGlobal('document', document)
  return { window, document }
}

describe('createTelemetry in the browser', () => {
  it.each<[string, Partial<TelemetryOptions>, string]>([
    ['a batch bound of 0', { maxBatchEvents: 0 }, 'maxBatchEvents'],
    ['a batch larger than the queue', { maxBatchEvents: 20, maxQueueEvents: 10 }, 'maxBatchEvents'],
    ['a negative interval', { flushIntervalMs: -1 }, 'flushIntervalMs'],
    [
      'a retry cap below the first delay',
      { maxRetryDelayMs: 10, initialRetryDelayMs: 20 },
      'maxRetryDelayMs',
    ],
    [
      'a scrub rule that does not compile',
      { scrubRules: [{ name: 'x', pattern: '(' } as never] },
      'scrubRules',
    ],
  ])('throws for %s before it opens IndexedDB', (_, options, option) => {
    installIndexedDbClasses()
    const factory = new IDBFactory()
    const open = vi.spyOn(factory, 'open')
    vi.stubGlobal('indexedDB', factory)
    const create = () =>
      createTelemetry({ client: { name: 'web' }, transport: createTestTransport(), ...options })
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(expect.objectContaining({ option }) as Error)
    expect(open).not.toHaveBeenCalled()
  })

  it('opens IndexedDB once the options are good', async () => {
    installIndexedDbClasses()
    const factory = new IDBFactory()
    const open = vi.spyOn(factory, 'open')
    vi.stubGlobal('indexedDB', factory)
    const telemetry = createTelemetry({ client: { name: 'web' }, transport: createTestTransport() })
    expect(open).toHaveBeenCalledTimes(1)
    await telemetry.flush()
    await telemetry.shutdown()
  })

  it('throws for a missing baseUrl outside a page before it opens IndexedDB', () => {
    installIndexedDbClasses()
    const factory = new IDBFactory()
    const open = vi.spyOn(factory, 'open')
    vi.stubGlobal('indexedDB', factory)
    expect(() => createTelemetry({ client: { name: 'web' } })).toThrow(
      expect.objectContaining({ option: 'baseUrl' }) as Error,
    )
    expect(open).not.toHaveBeenCalled()
  })

  it('leaves no listener on the page after shutdown()', async () => {
    vi.useFakeTimers()
    const { window, document } = stubPage()
    const telemetry = createTelemetry({
      client: { name: 'web' },
      transport: createTestTransport(),
      store: createMemoryStore({ maxEvents: 100, maxBytes: 100_000 }),
    })
    expect(window.live.size + document.live.size).toBeGreaterThan(0)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.shutdown()
    expect([...window.live, ...document.live]).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('where Web Locks are missing, sends under the lease in the queue, each event once', async () => {
    installIndexedDbClasses()
    const factory = new IDBFactory()
    vi.stubGlobal('indexedDB', factory)
    // A browser without navigator.locks (Safari before 15.4): the lease comes with the sender.
    vi.stubGlobal('navigator', { onLine: true })
    const readClaim = () =>
      new Promise<unknown>((resolve, reject) => {
        const open = factory.open('tally-telemetry')
        open.onerror = () => reject(new Error('open failed'))
        open.onsuccess = () => {
          const read = open.result.transaction('meta').objectStore('meta').get('claim')
          read.onsuccess = () => {
            open.result.close()
            resolve(read.result)
          }
        }
      })
    const claims: unknown[] = []
    const transport = createTestTransport()
    transport.answerWith(async batch => {
      claims.push(await readClaim())
      return acceptAll(batch)
    })
    const tabs = [0, 1].map(() =>
      createTelemetry({ client: { name: 'web' }, transport, flushIntervalMs: 10 }),
    )
    tabs.forEach((tab, index) => tab.recordEvent('search', 'submitted', { metadata: { index } }))
    await Promise.all(tabs.map(tab => tab.flush()))
    // The tab that found the lease taken looks again after its interval.
    await vi.waitFor(() => expect(transport.events).toHaveLength(2))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(new Set(transport.events.map(event => event.id)).size).toBe(2)
    expect(transport.events).toHaveLength(2)
    // Every send ran holding the claim, and the claim was let go after.
    expect(claims.length).toBeGreaterThan(0)
    for (const claim of claims) expect(typeof (claim as { owner?: unknown }).owner).toBe('string')
    expect(await readClaim()).toBeUndefined()
    await Promise.all(tabs.map(tab => tab.shutdown()))
  })
})
