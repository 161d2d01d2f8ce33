import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventsDroppedError } from '../../src/client/errors/events-dropped-error.js'
import { StorageError } from '../../src/client/errors/storage-error.js'
import type { EventStore } from '../../src/client/stores/event-store.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'
import { settle, setup } from './setup.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A memory store whose appends fail the first `failures` times; counts every append. */
function failingStore(failures: number) {
  const inner = createMemoryStore({ maxEvents: 100, maxBytes: 1_000_000 })
  let appends = 0
  const store: EventStore = {
    ...inner,
    kind: inner.kind,
    append: events => {
      appends++
      return appends <= failures
        ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
        : inner.append(events)
    },
  }
  return { store, inner, appends: () => appends }
}

describe('a write that fails', () => {
  it('is tried again on a timer, 1 s then 2 s later, with no new event to prompt it', async () => {
    const failing = failingStore(2)
    const { telemetry, errors } = setup({ flushIntervalMs: 600_000 }, failing.store)
    telemetry.recordEvent('search', 'submitted')
    await settle(vi)
    expect(failing.appends()).toBe(1)
    expect(errors.filter(error => error instanceof StorageError)).toHaveLength(1)
    // Held in memory meanwhile, and counted as queued.
    expect(telemetry.stats().queued).toBe(1)

    await vi.advanceTimersByTimeAsync(999)
    expect(failing.appends()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(failing.appends()).toBe(2)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(failing.appends()).toBe(3)
    expect(await failing.inner.count()).toBe(1)

    // Written: nothing is tried again.
    await vi.advanceTimersByTimeAsync(600_000)
    expect(failing.appends()).toBe(3)
    await telemetry.shutdown({ timeoutMs: 0 })
  })

  it('waits 5 minutes at most between tries, and stops at shutdown', async () => {
    const failing = failingStore(Infinity)
    const { telemetry } = setup({ flushIntervalMs: 600_000 }, failing.store)
    telemetry.recordEvent('search', 'submitted')
    await settle(vi)
    // 1 + 2 + … + 256 s, then every 300 s.
    await vi.advanceTimersByTimeAsync(511_000)
    expect(failing.appends()).toBe(10)
    await vi.advanceTimersByTimeAsync(300_000)
    expect(failing.appends()).toBe(11)
    await vi.advanceTimersByTimeAsync(300_000)
    expect(failing.appends()).toBe(12)

    await telemetry.shutdown({ timeoutMs: 0 })
    const atShutdown = failing.appends()
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(failing.appends()).toBe(atShutdown)
  })

  it('leaves its events counted as dropped at shutdown, where there is no spill', async () => {
    const failing = failingStore(Infinity)
    const { telemetry, errors } = setup({ flushIntervalMs: 600_000 }, failing.store)
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('blob', 'viewed')
    await settle(vi)
    expect(telemetry.stats().dropped.shutdown).toBe(0)

    await telemetry.shutdown({ timeoutMs: 0 })
    expect(telemetry.stats().dropped.shutdown).toBe(2)
    expect(errors.filter(error => error instanceof EventsDroppedError)).toMatchObject([
      { reason: 'shutdown', count: 2 },
    ])
  })
})
