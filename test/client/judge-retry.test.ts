import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { judgeNow } from '../../src/client/lazy-judge.js'
import { normalizeOptions } from '../../src/client/options.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'
import { fakePage as page } from './fake-page.js'

// The judge's chunk fails to load the first time it is asked for (a deploy, a network blip),
// and loads the next.
const fetches = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../src/client/judging.js', async importOriginal => {
  fetches.count++
  if (fetches.count === 1) throw new Error('chunk failed to load')
  return importOriginal()
})

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe("the judge's chunk failing to load", () => {
  it('is asked for again on a timer, and what waited is written with no new event to prompt it', async () => {
    const host = page()
    const store = createMemoryStore({ maxEvents: 100, maxBytes: 1_000_000 })
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, flushIntervalMs: 600_000 }),
      { transport: createTestTransport(), platform: host.platform, store },
    )
    telemetry.recordEvent('search', 'submitted')
    await vi.advanceTimersByTimeAsync(0)
    expect(judgeNow()).toBeUndefined()
    expect(telemetry.stats().queued).toBe(1)
    expect(await store.count()).toBe(0)

    // lazy-chunk.ts allows a new fetch after 1 s; the queue's timer tries then.
    await vi.advanceTimersByTimeAsync(1_000)
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(10)
      expect(await store.count()).toBe(1)
    })
    expect(judgeNow()).toBeDefined()
    expect(fetches.count).toBe(2)
    await telemetry.shutdown({ timeoutMs: 0 })
  })
})
