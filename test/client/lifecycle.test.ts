import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryQueue } from './memory-queue.js'
import { fakeSpill } from './fake-page.js'
import { maxKeepaliveBytes } from '../../src/client/sender/unload-send.js'
import type { Platform, SendLock } from '../../src/client/platform/platform.js'
import type { StoredEvent } from '../../src/client/stores/event-store.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'
import { normalizeOptions } from '../../src/client/options.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import {
  createTestTransport,
  type TestTransport,
} from '../../src/client/transport/test-transport.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import { preloadSender } from '../../src/client/sender/lazy-sender.js'
import { storedEvent } from '../support/events.js'

// Fake timers cannot wait for an import: the sender's chunk is loaded once for the file.
await preloadSender()

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A platform whose lifecycle the test drives. */
function fakePlatform(overrides: Partial<Platform> = {}) {
  let online = true
  const onlineListeners: (() => void)[] = []
  const hideListeners: ((final: boolean) => void)[] = []
  const { spill, spilled, leftover } = fakeSpill()
  const platform: Platform = {
    isOnline: () => online,
    onOnline: listener => onlineListeners.push(listener),
    onHide: listener => hideListeners.push(listener),
    lock: undefined,
    spill,
    dispose: () => {},
    ...overrides,
  }
  return {
    platform,
    spilled,
    setLeftover(events: StoredEvent[]) {
      leftover.push(...events)
    },
    goOffline() {
      online = false
    },
    goOnline() {
      online = true
      for (const listener of onlineListeners) listener()
    },
    hide(final: boolean) {
      for (const listener of hideListeners) listener(final)
    },
  }
}

function client(platform: Platform, transport: TestTransport = createTestTransport()) {
  const telemetry = createTelemetryClient(
    normalizeOptions({ client: { name: 'web' }, errorIntervalMs: 0 }),
    { transport, platform, store: memoryQueue },
  )
  return { telemetry, transport }
}

describe('online state', () => {
  it('sends nothing while offline, and delivers when the platform comes online', async () => {
    const host = fakePlatform()
    const { telemetry, transport } = client(host.platform)
    host.goOffline()
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.batches).toHaveLength(0)
    host.goOnline()
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.events).toHaveLength(1)
  })
})

describe('a client created turned off', () => {
  it('sends nothing an earlier run left in its store, online or flushed, until turned on', async () => {
    const host = fakePlatform()
    const store = createMemoryStore({ maxEvents: 100, maxBytes: 1_000_000 })
    await store.append([storedEvent('earlier-run-000000001'), storedEvent('earlier-run-000000002')])
    const transport = createTestTransport()
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, errorIntervalMs: 0, enabled: false }),
      { transport, platform: host.platform, store },
    )
    await telemetry.flush()
    host.goOffline()
    host.goOnline()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats().queued).toBe(2)
    await telemetry.setEnabled(true)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(transport.events.map(event => event.id)).toEqual([
      'earlier-run-000000001',
      'earlier-run-000000002',
    ])
  })
})

/** A lock another tab holds until `release()`. */
function heldLock() {
  let held = true
  const lock: SendLock = {
    run: async fn => {
      if (held) return false
      await fn()
      return true
    },
  }
  return {
    lock,
    release: () => {
      held = false
    },
  }
}

describe('the send lock', () => {
  it('does not send while another tab holds the lock, and tries again later', async () => {
    const { lock, release } = heldLock()
    const host = fakePlatform({ lock })
    const { telemetry, transport } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
    release()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(transport.events).toHaveLength(1)
  })
})

describe('another tab sending', () => {
  /** A store shared by the tabs of an origin, as IndexedDB is. */
  const sharedStore = () =>
    Object.assign(createMemoryStore({ maxEvents: 100, maxBytes: 1_000_000 }), {
      kind: 'indexeddb' as const,
    })

  it('counts as queued what the shared store holds, also after another tab sent it', async () => {
    const store = sharedStore()
    const host = fakePlatform(heldLock())
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, errorIntervalMs: 0 }),
      { transport: createTestTransport(), platform: host.platform, store },
    )
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats().queued).toBe(1)
    // The sending tab delivers it and removes it from the shared store.
    await store.remove((await store.peek(10, Infinity)).map(entry => entry.event.id))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(telemetry.stats().queued).toBe(0)
  })

  it('leaves what this tab wrote to the sending tab at unload, and sends only what is unwritten', async () => {
    const host = fakePlatform(heldLock())
    const transport = createTestTransport()
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, errorIntervalMs: 0 }),
      { transport, platform: host.platform, store: sharedStore() },
    )
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    telemetry.recordEvent('notebook', 'viewed')
    host.hide(true)
    expect(transport.events.map(event => event.feature)).toEqual(['notebook'])
    expect(host.spilled[0]?.map(entry => entry.event.feature)).toEqual(['notebook'])
  })

  it('still sends everything at unload from a memory queue, which no other tab can read', async () => {
    const host = fakePlatform(heldLock())
    const { telemetry, transport } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    telemetry.recordEvent('notebook', 'viewed')
    host.hide(true)
    expect(transport.events.map(event => event.feature)).toEqual(['search', 'notebook'])
  })

  it('sends everything at unload once this tab is the sender again', async () => {
    const { lock, release } = heldLock()
    const host = fakePlatform({ lock })
    const transport = createTestTransport()
    transport.answerWith(() => ({ type: 'retryable', reason: '503', retryAfterMs: 60_000 }))
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, errorIntervalMs: 0 }),
      { transport, platform: host.platform, store: sharedStore() },
    )
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    release()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(transport.batches).toHaveLength(1)
    host.hide(true)
    expect(transport.batches).toHaveLength(2)
    expect(transport.contexts[1]?.keepalive).toBe(true)
  })
})

describe('page hide', () => {
  it('spills the events not yet written and sends this tab’s events with keepalive', async () => {
    const host = fakePlatform()
    const { telemetry, transport } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('notebook', 'viewed')
    host.hide(true)
    expect(host.spilled).toHaveLength(1)
    expect(host.spilled[0]?.map(entry => entry.event.feature)).toEqual(['search', 'notebook'])
    expect(transport.contexts[0]?.keepalive).toBe(true)
    expect(transport.events.map(event => event.feature)).toEqual(['search', 'notebook'])
    await vi.advanceTimersByTimeAsync(0)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 2 })
  })

  it('applies the keepalive answer like any other: acknowledged ids leave, invalid ones are dropped and counted', async () => {
    const host = fakePlatform()
    const transport = createTestTransport()
    transport.answerNext(batch => {
      const [first, second] = batch.events
      return {
        type: 'success',
        accepted: first ? [first.id] : [],
        rejected: second ? [{ id: second.id, reason: 'unknown feature' }] : [],
      }
    })
    const { telemetry } = client(host.platform, transport)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('notebook', 'viewed')
    host.hide(false)
    expect(transport.contexts[0]?.keepalive).toBe(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, dropped: { rejected: 1 } })
    await telemetry.flush()
    expect(transport.batches).toHaveLength(1)
  })

  it('does not spill when the page is only hidden', () => {
    const host = fakePlatform()
    const { telemetry } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    host.hide(false)
    expect(host.spilled).toHaveLength(0)
  })

  it('keeps the keepalive bodies in flight under the browser budget', async () => {
    const host = fakePlatform()
    const transport = createTestTransport()
    transport.answerWith(() => new Promise(() => {}))
    const { telemetry } = client(host.platform, transport)
    for (let i = 0; i < 400; i++) {
      telemetry.recordEvent('search', 'submitted', { privateMetadata: { text: 'x'.repeat(300) } })
    }
    host.hide(false)
    host.hide(true)
    const sentBytes = transport.batches
      .filter((_, index) => transport.contexts[index]?.keepalive)
      .reduce((sum, batch) => sum + encodeBatch(batch).length, 0)
    expect(sentBytes).toBeGreaterThan(maxKeepaliveBytes / 2)
    expect(sentBytes).toBeLessThanOrEqual(maxKeepaliveBytes)
  })

  it('sends the newest 1,000 of this tab’s unacknowledged events at unload, oldest first', async () => {
    const host = fakePlatform()
    const transport = createTestTransport()
    transport.answerWith(() => new Promise(() => {}))
    const { telemetry } = client(host.platform, transport)
    // Over two tasks, so that the bound holds across batched steps, not only within one.
    for (let i = 0; i < 600; i++) telemetry.recordEvent('search', 'submitted', { version: i })
    await vi.advanceTimersByTimeAsync(0)
    for (let i = 600; i < 1_200; i++) telemetry.recordEvent('search', 'submitted', { version: i })
    await vi.advanceTimersByTimeAsync(0)
    host.hide(true)
    const keepalive = transport.batches.find((_, index) => transport.contexts[index]?.keepalive)
    const versions = keepalive?.events.map(event => event.parameters.version) ?? []
    expect(versions).toEqual(Array.from({ length: 1_000 }, (_, i) => 200 + i))
  })

  it('puts a previous page’s spill back in the queue first', async () => {
    const host = fakePlatform()
    const first = client(host.platform)
    first.telemetry.recordEvent('search', 'submitted')
    host.hide(true)
    const spilled = host.spilled[0] ?? []
    const next = fakePlatform()
    next.setLeftover(spilled)
    const { telemetry, transport } = client(next.platform)
    telemetry.recordEvent('notebook', 'viewed')
    await telemetry.flush()
    expect(transport.events.map(event => event.feature)).toEqual(['search', 'notebook'])
    expect(transport.events[0]?.id).toBe(spilled[0]?.event.id)
  })
})

describe('shutdown with a memory queue the backend has not taken', () => {
  it('spills all of this tab’s unacknowledged events, which die with the client', async () => {
    const host = fakePlatform()
    host.goOffline()
    const { telemetry } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('notebook', 'viewed')
    await vi.advanceTimersByTimeAsync(0)
    expect(telemetry.stats().queued).toBe(2)

    await telemetry.shutdown({ timeoutMs: 0 })
    expect(host.spilled).toHaveLength(1)
    expect(host.spilled[0]?.map(entry => entry.event.feature)).toEqual(['search', 'notebook'])
    expect(telemetry.stats().dropped.shutdown).toBe(0)
  })

  it('counts them as dropped where there is no spill', async () => {
    const host = fakePlatform({ spill: undefined })
    host.goOffline()
    const { telemetry } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('notebook', 'viewed')
    await vi.advanceTimersByTimeAsync(0)

    await telemetry.shutdown({ timeoutMs: 0 })
    expect(telemetry.stats().dropped.shutdown).toBe(2)
  })

  it('leaves nothing behind once the backend took everything', async () => {
    const host = fakePlatform()
    const { telemetry, transport } = client(host.platform)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.shutdown()
    expect(transport.events).toHaveLength(1)
    expect(host.spilled.flat()).toEqual([])
    expect(telemetry.stats().dropped.shutdown).toBe(0)
  })
})

describe('the backend config', () => {
  it('turns recording off and empties the queue when the instance disables telemetry', async () => {
    const transport = createTestTransport()
    let answer: (value: {
      enabled: boolean
      maxBatchEvents: number
      maxBatchBytes: number
      exportMode: 'redact'
    }) => void = () => {}
    const withConfig = Object.assign(transport, {
      config: () => new Promise<Parameters<typeof answer>[0]>(resolve => (answer = resolve)),
    })
    const { telemetry } = client(fakePlatform().platform, withConfig)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('search', 'submitted')
    answer({ enabled: false, maxBatchEvents: 100, maxBatchBytes: 1024, exportMode: 'redact' })
    await vi.advanceTimersByTimeAsync(0)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats()).toMatchObject({ queued: 0, dropped: { disabled: 3 } })
  })

  it('lowers the batch size to what the backend accepts', async () => {
    const transport = Object.assign(createTestTransport(), {
      config: async () => ({
        enabled: true,
        maxBatchEvents: 10,
        maxBatchBytes: 262_144,
        exportMode: 'redact' as const,
      }),
    })
    const { telemetry } = client(fakePlatform().platform, transport)
    await vi.advanceTimersByTimeAsync(0)
    for (let i = 0; i < 25; i++) telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches.map(batch => batch.events.length)).toEqual([10, 10, 5])
  })
})
