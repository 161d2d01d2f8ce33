import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InvalidEventError } from '../../src/client/errors/invalid-event-error.js'
import type { EventStore, StoredEvent } from '../../src/client/stores/event-store.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'
import { settle, setup } from './setup.js'

type LooseRecord = (feature: string, action: string, parameters?: unknown) => void

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A memory store that keeps a copy of every event handed to `append`, as the store saw it. */
function watchedStore(): { store: EventStore; appended: string[] } {
  const inner = createMemoryStore({ maxEvents: 1_000, maxBytes: 1 << 20 })
  const appended: string[] = []
  const store: EventStore = {
    ...inner,
    kind: inner.kind,
    append(events: readonly StoredEvent[]) {
      for (const entry of events) appended.push(JSON.stringify(entry.event))
      return inner.append(events)
    },
  }
  return { store, appended }
}

describe('recordEvent leaves the checks to the batched step', () => {
  it('keeps the event as it was at the call, whatever the app changes afterwards', async () => {
    const { telemetry, transport } = setup()
    const parameters = {
      version: 2,
      metadata: { count: 1 },
      privateMetadata: { query: 'first', nested: { list: [1, 2], deeper: { word: 'kept' } } },
      billingMetadata: { product: 'search', category: 'core' },
    }
    telemetry.recordEvent('search', 'submitted', parameters)
    parameters.version = 9
    parameters.metadata.count = 99
    parameters.privateMetadata.query = 'changed'
    parameters.privateMetadata.nested.list.push(3)
    parameters.privateMetadata.nested.deeper.word = 'changed'
    parameters.billingMetadata.product = 'changed'
    await telemetry.flush()
    expect(transport.events).toHaveLength(1)
    expect(transport.events[0]?.parameters).toEqual({
      version: 2,
      metadata: { count: 1 },
      privateMetadata: { query: 'first', nested: { list: [1, 2], deeper: { word: 'kept' } } },
      billingMetadata: { product: 'search', category: 'core' },
    })
  })

  it('still drops, counts and reports an invalid event, at the end of the task', async () => {
    const { telemetry, transport, errors } = setup()
    ;(telemetry.recordEvent as LooseRecord)('Not-A-Name', 'x')
    ;(telemetry.recordEvent as LooseRecord)('search', 'submitted', { metadata: { text: 'no' } })
    telemetry.recordEvent('search', 'submitted')
    await settle(vi)
    expect(errors.map(error => error instanceof InvalidEventError)).toEqual([true, true])
    expect(errors.map(error => (error instanceof InvalidEventError ? error.feature : ''))).toEqual([
      'Not-A-Name',
      'search',
    ])
    await telemetry.flush()
    expect(transport.events).toHaveLength(1)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, dropped: { invalid: 2 } })
  })

  it('counts invalid events in stats() read in the same task as the calls', () => {
    const { telemetry } = setup()
    ;(telemetry.recordEvent as LooseRecord)('Bad', 'x')
    telemetry.recordEvent('search', 'submitted')
    expect(telemetry.stats()).toMatchObject({ queued: 1, dropped: { invalid: 1 } })
  })

  it('never hands the store a secret in clear: scrubbing comes before the write', async () => {
    const { store, appended } = watchedStore()
    const { telemetry } = setup({}, store)
    const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'
    telemetry.recordEvent('search', 'submitted', {
      privateMetadata: { header: `Authorization: Bearer ${secret}`, [`key ${secret}`]: 1 },
    })
    await settle(vi)
    expect(appended).toHaveLength(1)
    expect(appended[0]).not.toContain(secret)
    expect(appended[0]).toContain('[redacted:')
  })

  it('stays non-throwing for arguments that throw when read, and counts them', () => {
    const { telemetry } = setup()
    const hostile = {
      get privateMetadata(): never {
        throw new Error('boom')
      },
    }
    expect(() => {
      ;(telemetry.recordEvent as LooseRecord)('search', 'submitted', hostile)
    }).not.toThrow()
    expect(telemetry.stats().dropped.invalid).toBe(1)
  })

  it('bounds what waits for the batched step, counting what it drops', () => {
    const { telemetry } = setup({ maxQueueEvents: 10, maxBatchEvents: 10 })
    for (let i = 0; i < 15; i++) telemetry.recordEvent('search', 'submitted')
    expect(telemetry.stats()).toMatchObject({ queued: 10, dropped: { overflow: 5 } })
  })
})
