import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventsDroppedError } from '../../src/client/errors/events-dropped-error.js'
import type { TallyError } from '../../src/client/errors/tally-error.js'
import { judgeNow } from '../../src/client/lazy-judge.js'
import { normalizeOptions } from '../../src/client/options.js'
import { nullPlatform, type Platform } from '../../src/client/platform/platform.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'
import { fakePage } from './fake-page.js'
import { memoryQueue } from './memory-queue.js'

// The judge's chunk never comes (offline since the page loaded, or a deploy removed it): the
// events recorded wait for it in memory until shutdown() ends the client.
vi.mock('../../src/client/judging.js', () => {
  throw new Error('chunk failed to load')
})

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-08T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

function client(platform: Platform) {
  const errors: TallyError[] = []
  const telemetry = createTelemetryClient(
    normalizeOptions({
      client: { name: 'web' },
      flushIntervalMs: 600_000,
      errorIntervalMs: 0,
      onError: error => errors.push(error),
    }),
    { transport: createTestTransport(), platform, store: memoryQueue },
  )
  return { telemetry, errors }
}

describe('shutdown() while events wait for the judge', () => {
  it('spills them, scrubbed, where the platform has a spill', async () => {
    const page = fakePage()
    const { telemetry, errors } = client(page.platform)
    telemetry.recordEvent('search', 'submitted', {
      privateMetadata: { query: 'token=ghp_0123456789abcdefghijklmnopqrstuvwxyz' },
    })
    telemetry.recordEvent('blob', 'viewed')
    await vi.advanceTimersByTimeAsync(0)
    expect(judgeNow()).toBeUndefined()

    await telemetry.shutdown({ timeoutMs: 100 })
    expect(page.spilled).toHaveLength(1)
    const spilled = page.spilled[0] ?? []
    expect(spilled.map(entry => `${entry.event.feature}/${entry.event.action}`)).toEqual([
      'search/submitted',
      'blob/viewed',
    ])
    expect(JSON.stringify(spilled)).not.toContain('ghp_0123456789')
    expect(telemetry.stats().dropped.shutdown).toBe(0)
    expect(errors.filter(error => error instanceof EventsDroppedError)).toEqual([])
  })

  it('counts them as dropped, and reports it once, where there is no spill', async () => {
    const { telemetry, errors } = client(nullPlatform)
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    await vi.advanceTimersByTimeAsync(0)

    await telemetry.shutdown({ timeoutMs: 100 })
    expect(telemetry.stats().dropped.shutdown).toBe(3)
    const dropped = errors.filter(error => error instanceof EventsDroppedError)
    expect(dropped).toHaveLength(1)
    expect(dropped[0]).toMatchObject({ reason: 'shutdown', count: 3 })
    // Counted once: a second shutdown() is the same one.
    await telemetry.shutdown()
    expect(telemetry.stats().dropped.shutdown).toBe(3)
  })
})
