import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DeliveryError } from '../../src/client/errors/delivery-error.js'
import type { SendResult } from '../../src/client/transport/transport.js'
import type { EventBatch } from '../../src/protocol/event.js'
import { setup, settle } from './setup.js'
import { encodeBatch } from '../../src/protocol/wire.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

const accept = (batch: EventBatch): SendResult => ({
  type: 'success',
  accepted: batch.events.map(event => event.id),
  rejected: [],
})

describe('batching', () => {
  it('sends a partial batch after flushIntervalMs, not before', async () => {
    const { telemetry, transport } = setup()
    for (let i = 0; i < 5; i++) telemetry.recordEvent('search', 'submitted')
    await vi.advanceTimersByTimeAsync(4_999)
    expect(transport.batches).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(1)
    expect(transport.batches[0]?.events).toHaveLength(5)
  })

  it('sends at once when a full batch of 100 is queued', async () => {
    const { telemetry, transport } = setup()
    for (let i = 0; i < 250; i++) telemetry.recordEvent('search', 'submitted')
    await settle(vi)
    expect(transport.batches.map(batch => batch.events.length)).toEqual([100, 100, 50])
  })

  it('keeps batches under maxBatchBytes', async () => {
    const { telemetry, transport } = setup({ maxBatchBytes: 2_000 })
    for (let i = 0; i < 10; i++) {
      telemetry.recordEvent('search', 'submitted', { privateMetadata: { text: 'y'.repeat(400) } })
    }
    await telemetry.flush()
    expect(transport.batches.length).toBeGreaterThan(2)
    for (const batch of transport.batches) expect(encodeBatch(batch).length).toBeLessThan(2_000)
    expect(transport.events).toHaveLength(10)
  })

  it('runs no timer while the queue is empty', async () => {
    const { telemetry } = setup()
    expect(vi.getTimerCount()).toBe(0)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('sends the events recorded while a send is under way', async () => {
    const { telemetry, transport } = setup()
    let release: () => void = () => {}
    transport.answerNext(
      batch =>
        new Promise(resolve => {
          release = () => {
            resolve(accept(batch))
          }
        }),
    )
    telemetry.recordEvent('search', 'submitted')
    const first = telemetry.flush()
    await settle(vi)
    telemetry.recordEvent('notebook', 'viewed')
    await settle(vi)
    release()
    await first
    await vi.advanceTimersByTimeAsync(5_000)
    expect(transport.events.map(event => event.feature)).toEqual(['search', 'notebook'])
  })

  it('never has two requests in flight', async () => {
    const { telemetry, transport } = setup()
    let inFlight = 0
    let most = 0
    transport.answerWith(async batch => {
      most = Math.max(most, ++inFlight)
      await new Promise(resolve => setTimeout(resolve, 100))
      inFlight--
      return accept(batch)
    })
    for (let i = 0; i < 450; i++) telemetry.recordEvent('search', 'submitted')
    void telemetry.flush()
    void telemetry.flush()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(most).toBe(1)
    expect(transport.events).toHaveLength(450)
  })
})

describe('response classes', () => {
  it('retries a retryable failure with growing full-jitter delays, then delivers once', async () => {
    const { telemetry, transport, errors } = setup()
    transport.answerNext(
      { type: 'retryable', reason: 'HTTP 503' },
      { type: 'retryable', reason: 'HTTP 503' },
      { type: 'retryable', reason: 'HTTP 503' },
    )
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(1)
    // Full jitter: the third retry waits below 1 s × 2², so 4 s covers three retries.
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000)
    expect(transport.batches).toHaveLength(4)
    expect(new Set(transport.events.map(event => event.id)).size).toBe(1)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, retries: 3 })
    expect(errors.filter(error => error instanceof DeliveryError)).toHaveLength(3)
  })

  it('waits at least as long as Retry-After asks', async () => {
    const { telemetry, transport } = setup()
    transport.answerNext({ type: 'retryable', reason: 'HTTP 429', retryAfterMs: 2_000 })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(1_999)
    expect(transport.batches).toHaveLength(1)
    await telemetry.flush()
    expect(transport.batches).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(2)
  })

  it('caps the retry delay at maxRetryDelayMs', async () => {
    const { telemetry, transport } = setup({ maxRetryDelayMs: 10_000 })
    transport.answerWith({ type: 'retryable', reason: 'HTTP 503' })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(20 * 60_000)
    // With a 10 s cap, 20 minutes hold at least 20 min / 10 s = 120 attempts beyond the ramp.
    expect(transport.batches.length).toBeGreaterThan(120)
    expect(telemetry.stats().queued).toBe(1)
  })

  it('retries when the transport throws instead of answering', async () => {
    const { telemetry, transport } = setup()
    transport.answerNext(() => {
      throw new TypeError('Failed to fetch')
    })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, retries: 1 })
  })

  it('deletes acknowledged events and drops those refused as invalid, counted', async () => {
    const { telemetry, transport, errors } = setup()
    transport.answerNext(batch => ({
      type: 'success',
      accepted: batch.events.slice(1).map(event => event.id),
      rejected: [{ id: batch.events[0]?.id ?? '', reason: 'feature: unknown' }],
    }))
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 2, dropped: { rejected: 1 } })
    // The report carries the backend's own reason, not a client rewording of it.
    expect(errors.map(error => error.message)).toContain(
      'Dropped 1 event (rejected): feature: unknown',
    )
  })

  it('resends the events a success answer did not mention', async () => {
    const { telemetry, transport } = setup()
    transport.answerNext(batch => ({
      type: 'success',
      accepted: [batch.events[0]?.id ?? ''],
      rejected: [],
    }))
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ queued: 2, sent: 1 })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 3 })
    expect(transport.batches[1]?.events).toHaveLength(2)
  })

  it('ignores acknowledgements for ids it never sent', async () => {
    const { telemetry, transport } = setup()
    transport.answerNext(batch => ({
      type: 'success',
      accepted: ['not-in-batch-0001', ...batch.events.map(event => event.id)],
      rejected: [{ id: 'not-in-batch-0002', reason: 'x' }],
    }))
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ sent: 1, dropped: { rejected: 0 } })
  })

  it('splits a batch answered 413 until it fits, dropping a lone event that never fits', async () => {
    const { telemetry, transport } = setup()
    const stored: number[] = []
    transport.answerWith(batch => {
      const tooBig = batch.events.some(event => event.parameters.metadata?.huge === 1)
      if (batch.events.length > 2 || tooBig) return { type: 'too-large', reason: 'HTTP 413' }
      stored.push(...batch.events.map(event => event.parameters.metadata?.i ?? -1))
      return accept(batch)
    })
    for (let i = 0; i < 7; i++) {
      telemetry.recordEvent('search', 'submitted', { metadata: { i, huge: i === 3 ? 1 : 0 } })
    }
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 6, dropped: { rejected: 1 } })
    expect(stored).toEqual([0, 1, 2, 4, 5, 6])
  })

  it('pauses on 401/403 until the credentials change, then sends with the new token', async () => {
    const { telemetry, transport } = setup({ accessToken: 'old-token' })
    transport.answerNext({ type: 'unauthorized', reason: 'HTTP 401' })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(1)
    telemetry.setCredentials({ accessToken: 'new-token' })
    await settle(vi)
    expect(transport.contexts.map(context => context.accessToken)).toEqual([
      'old-token',
      'new-token',
    ])
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 2 })
  })

  it('drops a batch refused with another 4xx, counted, and goes on', async () => {
    const { telemetry, transport, errors } = setup()
    transport.answerNext({ type: 'rejected', reason: 'HTTP 422' })
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, dropped: { rejected: 3 } })
    expect(errors.map(error => error.message)).toContain('Dropped 3 events (rejected): HTTP 422')
  })
})

describe('shutdown', () => {
  it('sends what is queued and is idempotent', async () => {
    const { telemetry, transport } = setup()
    telemetry.recordEvent('search', 'submitted')
    const first = telemetry.shutdown()
    expect(telemetry.shutdown()).toBe(first)
    await first
    expect(transport.events).toHaveLength(1)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.events).toHaveLength(1)
    expect(telemetry.stats().dropped.disabled).toBe(1)
  })

  it('makes a last attempt even while a retry is scheduled', async () => {
    const { telemetry, transport } = setup()
    transport.answerNext({ type: 'retryable', reason: 'HTTP 503' })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await telemetry.shutdown()
    expect(transport.batches).toHaveLength(2)
    expect(telemetry.stats().sent).toBe(1)
  })

  it('gives up at its deadline, aborting the send, and leaves no timer behind', async () => {
    const { telemetry, transport } = setup()
    transport.answerWith(
      (_batch: EventBatch) =>
        new Promise<SendResult>(() => {
          // A backend that never answers.
        }),
    )
    telemetry.recordEvent('search', 'submitted')
    const done = telemetry.shutdown({ timeoutMs: 1_000 })
    await vi.advanceTimersByTimeAsync(1_000)
    await done
    expect(transport.contexts[0]?.signal?.aborted).toBe(true)
    expect(telemetry.stats().queued).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
