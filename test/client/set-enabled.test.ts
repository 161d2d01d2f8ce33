import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryQueue } from './memory-queue.js'
import { nullPlatform } from '../../src/client/platform/platform.js'
import { EventsDroppedError } from '../../src/client/errors/events-dropped-error.js'
import { normalizeOptions } from '../../src/client/options.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'
import { setup, settle } from './setup.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('setEnabled', () => {
  it('turned off, empties the queue, counts it as disabled, and records nothing', async () => {
    const { telemetry, transport, errors } = setup()
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('search', 'submitted')
    await telemetry.setEnabled(false)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats()).toMatchObject({ queued: 0, dropped: { disabled: 3 } })
    expect(errors.filter(error => error instanceof EventsDroppedError)).toHaveLength(1)
  })

  it('turned on again, records and sends as before', async () => {
    const { telemetry, transport } = setup()
    await telemetry.setEnabled(false)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.setEnabled(true)
    telemetry.recordEvent('notebook', 'viewed')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(transport.events.map(event => event.feature)).toEqual(['notebook'])
    expect(telemetry.stats()).toMatchObject({ sent: 1, dropped: { disabled: 1 } })
  })

  it('turns on a client created with enabled: false', async () => {
    const { telemetry, transport } = setup({ enabled: false })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.setEnabled(true)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.events).toHaveLength(1)
  })

  it('aborts a send under way when turned off; the batch is not sent again', async () => {
    const transport = createTestTransport()
    transport.answerNext(
      batch =>
        new Promise(resolve =>
          setTimeout(() => {
            resolve({ type: 'success', accepted: batch.events.map(e => e.id), rejected: [] })
          }, 1_000),
        ),
    )
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'editor' }, errorIntervalMs: 0 }),
      { transport, store: memoryQueue, platform: nullPlatform },
    )
    telemetry.recordEvent('search', 'submitted')
    void telemetry.flush()
    await settle(vi)
    await telemetry.setEnabled(false)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.batches).toHaveLength(1)
    expect(transport.contexts[0]?.signal?.aborted).toBe(true)
    expect(telemetry.stats().queued).toBe(0)
  })

  it('cannot turn on what the instance turned off', async () => {
    const transport = Object.assign(createTestTransport(), {
      config: async () => ({
        enabled: false,
        maxBatchEvents: 100,
        maxBatchBytes: 262_144,
        exportMode: 'redact' as const,
      }),
    })
    const telemetry = createTelemetryClient(normalizeOptions({ client: { name: 'editor' } }), {
      transport,
      store: memoryQueue,
      platform: nullPlatform,
    })
    await settle(vi)
    await telemetry.setEnabled(true)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats().dropped.disabled).toBe(1)
  })

  it('asks the instance for its config when first turned on', async () => {
    const config = vi.fn(async () => ({
      enabled: true,
      maxBatchEvents: 2,
      maxBatchBytes: 262_144,
      exportMode: 'redact' as const,
    }))
    const transport = Object.assign(createTestTransport(), { config })
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'editor' }, enabled: false }),
      { transport, store: memoryQueue, platform: nullPlatform },
    )
    expect(config).not.toHaveBeenCalled()
    await telemetry.setEnabled(true)
    await settle(vi)
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(config).toHaveBeenCalledTimes(1)
    expect(transport.batches.map(batch => batch.events.length)).toEqual([2, 1])
  })

  it('does nothing after shutdown', async () => {
    const { telemetry } = setup()
    await telemetry.shutdown()
    await telemetry.setEnabled(true)
    telemetry.recordEvent('search', 'submitted')
    expect(telemetry.stats().dropped.disabled).toBe(1)
  })
})
