import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryQueue } from './memory-queue.js'
import { nullPlatform } from '../../src/client/platform/platform.js'
import { InvalidEventError } from '../../src/client/errors/invalid-event-error.js'
import { ProcessorError } from '../../src/client/errors/processor-error.js'
import { InvalidOptionsError } from '../../src/client/errors/invalid-options-error.js'
import { EventsDroppedError } from '../../src/client/errors/events-dropped-error.js'
import { normalizeOptions } from '../../src/client/options.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'
import { redactable } from '../../src/protocol/redactable.js'
import { setup, settle } from './setup.js'

/** recordEvent with its compile-time checks switched off, to feed it what plain JS could. */
type LooseRecord = (feature: unknown, action: unknown, parameters?: unknown) => void

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('recordEvent', () => {
  it('stamps id, timestamp, source and session, and sends the event on flush', async () => {
    const { telemetry, transport } = setup()
    telemetry.recordEvent('search', 'submitted', {
      version: 2,
      metadata: { regex: 1, resultCount: 37 },
    })
    await telemetry.flush()
    expect(transport.events).toHaveLength(1)
    const [event] = transport.events
    expect(event).toMatchObject({
      feature: 'search',
      action: 'submitted',
      source: { client: 'web', clientVersion: '6.1.0' },
      parameters: { version: 2, metadata: { regex: 1, resultCount: 37 } },
    })
    expect(event?.id).toMatch(/^[A-Za-z0-9_-]{21}$/)
    expect(event?.sessionId).toMatch(/^[A-Za-z0-9_-]{21}$/)
    expect(event?.timestamp).toEqual(new Date('2026-11-27T12:00:00Z'))
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1, retries: 0, storage: 'memory' })
  })

  it('defaults the schema version to 0', async () => {
    const { telemetry, transport } = setup()
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.events[0]?.parameters).toEqual({ version: 0 })
  })

  it('returns before anything is written or sent', () => {
    const { telemetry, transport } = setup()
    telemetry.recordEvent('search', 'submitted')
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats().queued).toBe(1)
  })

  it('scrubs secrets out of privateMetadata before the event is queued', async () => {
    const { telemetry, transport } = setup()
    const token = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'f6G7h8'
    telemetry.recordEvent('search', 'submitted', {
      privateMetadata: {
        query: redactable`repo:${'sourcegraph'} ${token}`,
        nested: { list: [`Bearer ${token}`, 'mail alice@example.com'] },
      },
    })
    await telemetry.flush()
    const wire = JSON.stringify(transport.events)
    expect(wire).not.toContain(token)
    expect(wire).not.toContain('alice@example.com')
    expect(wire).toContain('repo:\u2039sourcegraph\u203a')
  })

  it('copies what the caller passed, so later mutation changes nothing', async () => {
    const { telemetry, transport } = setup()
    const metadata = { resultCount: 1 }
    const privateMetadata = { query: 'first' }
    telemetry.recordEvent('search', 'submitted', { metadata, privateMetadata })
    metadata.resultCount = 99
    privateMetadata.query = 'changed'
    await telemetry.flush()
    expect(transport.events[0]?.parameters).toMatchObject({
      metadata: { resultCount: 1 },
      privateMetadata: { query: 'first' },
    })
  })

  it.each([
    ['a feature that breaks the name rule', 'Search', 'submitted', undefined, 'feature'],
    ['a number as action', 'search', 42, undefined, 'action'],
    [
      'a string metadata value',
      'search',
      'submitted',
      { metadata: { q: 'text' } },
      'parameters.metadata.q',
    ],
    [
      'NaN metadata',
      'search',
      'submitted',
      { metadata: { n: Number.NaN } },
      'parameters.metadata.n',
    ],
    [
      'a function in privateMetadata',
      'search',
      'submitted',
      { privateMetadata: { f: () => 1 } },
      'parameters.privateMetadata.f',
    ],
    [
      'a BigInt in privateMetadata',
      'search',
      'submitted',
      { privateMetadata: { b: 1n } },
      'parameters.privateMetadata.b',
    ],
    ['parameters that are a string', 'search', 'submitted', 'oops', undefined],
  ])(
    'drops %s, counts it and reports why, without throwing',
    async (_, feature, action, parameters, path) => {
      const { telemetry, transport, errors } = setup()
      expect(() => {
        ;(telemetry.recordEvent as LooseRecord)(feature, action, parameters)
      }).not.toThrow()
      await telemetry.flush()
      if (path === undefined) {
        // Parameters that are not an object are ignored, not fatal: the event itself is sound.
        expect(transport.events).toHaveLength(1)
        return
      }
      expect(transport.events).toHaveLength(0)
      expect(telemetry.stats().dropped.invalid).toBe(1)
      const error = errors.find(e => e instanceof InvalidEventError)
      expect(error?.problems.map(p => p.path)).toContain(path)
    },
  )

  it('survives a cyclic privateMetadata and getters that throw', async () => {
    const { telemetry, errors } = setup()
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })
    expect(() => {
      ;(telemetry.recordEvent as LooseRecord)('search', 'submitted', { privateMetadata: cyclic })
      ;(telemetry.recordEvent as LooseRecord)('search', 'submitted', { privateMetadata: hostile })
    }).not.toThrow()
    await telemetry.flush()
    expect(telemetry.stats().dropped.invalid).toBe(2)
    expect(errors.length).toBeGreaterThanOrEqual(1)
  })

  it('reports errors at most once an interval per kind, with the count held back', async () => {
    const errors: Error[] = []
    const telemetry = createTelemetryClient(
      normalizeOptions({
        client: { name: 'web' },
        onError: error => errors.push(error),
        errorIntervalMs: 60_000,
      }),
      {
        transport: createTestTransport(),
        store: memoryQueue,
        platform: nullPlatform,
      },
    )
    for (let i = 0; i < 5; i++) (telemetry.recordEvent as LooseRecord)('Bad', 'x')
    // Events are judged in one batch at the end of the task that recorded them.
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toHaveLength(1)
    vi.advanceTimersByTime(60_000)
    ;(telemetry.recordEvent as LooseRecord)('Bad', 'x')
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toHaveLength(2)
    expect(errors[1]).toMatchObject({ suppressed: 4 })
    expect(telemetry.stats().dropped.invalid).toBe(6)
  })

  it('never calls the console by default', async () => {
    const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map(name =>
      vi.spyOn(console, name).mockImplementation(() => {}),
    )
    const telemetry = createTelemetryClient(normalizeOptions({ client: { name: 'web' } }), {
      transport: createTestTransport(),
      store: memoryQueue,
      platform: nullPlatform,
    })
    ;(telemetry.recordEvent as LooseRecord)('Bad', 'x')
    await telemetry.flush()
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })

  it('ignores a throwing onError', async () => {
    const telemetry = createTelemetryClient(
      normalizeOptions({
        client: { name: 'web' },
        onError: () => {
          throw new Error('handler')
        },
      }),
      {
        transport: createTestTransport(),
        store: memoryQueue,
        platform: nullPlatform,
      },
    )
    expect(() => {
      ;(telemetry.recordEvent as LooseRecord)('Bad', 'x')
    }).not.toThrow()
  })

  it('counts events recorded while disabled', async () => {
    const { telemetry, transport } = setup({ enabled: false })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats().dropped.disabled).toBe(1)
  })
})

describe('processors', () => {
  it('keeps a session for 30 minutes without events, then starts a new one', async () => {
    const { telemetry, transport } = setup()
    telemetry.recordEvent('search', 'submitted')
    vi.advanceTimersByTime(29 * 60_000)
    telemetry.recordEvent('search', 'submitted')
    vi.advanceTimersByTime(31 * 60_000)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    const [a, b, c] = transport.events.map(event => event.sessionId)
    expect(a).toBe(b)
    expect(c).not.toBe(b)
  })

  it('stamps interaction ids and default billing metadata, keeping explicit ones', async () => {
    const { telemetry, transport } = setup({
      interactionId: () => 'interaction-1',
      billingMetadata: { product: 'search', category: 'core' },
    })
    telemetry.recordEvent('search', 'submitted')
    telemetry.recordEvent('search', 'submitted', {
      interactionId: 'explicit-2',
      billingMetadata: { product: 'cody', category: 'chat' },
    })
    await telemetry.flush()
    expect(transport.events.map(event => event.parameters)).toEqual([
      {
        version: 0,
        interactionId: 'interaction-1',
        billingMetadata: { product: 'search', category: 'core' },
      },
      {
        version: 0,
        interactionId: 'explicit-2',
        billingMetadata: { product: 'cody', category: 'chat' },
      },
    ])
  })

  it('runs user processors, and keeps the event when one throws', async () => {
    const { telemetry, transport, errors } = setup({
      processors: [
        {
          name: 'tagger',
          process(event) {
            event.parameters.metadata = { ...event.parameters.metadata, tagged: 1 }
          },
        },
        {
          name: 'broken',
          process() {
            throw new Error('broken processor')
          },
        },
      ],
    })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(transport.events[0]?.parameters.metadata).toEqual({ tagged: 1 })
    expect(errors.some(error => error instanceof ProcessorError)).toBe(true)
  })

  it('validates what processors produce', async () => {
    const { telemetry, transport } = setup({
      processors: [
        {
          name: 'leaky',
          process(event) {
            event.parameters.privateMetadata = { key: 'token=abcdef0123456789abcdef' }
          },
        },
      ],
    })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(JSON.stringify(transport.events)).not.toContain('abcdef0123456789abcdef')
  })
})

describe('options', () => {
  it.each([
    [{}, 'client.name'],
    [{ client: { name: '' } }, 'client.name'],
    [{ client: { name: 'web' }, maxBatchEvents: 0 }, 'maxBatchEvents'],
    [{ client: { name: 'web' }, maxQueueBytes: 1.5 }, 'maxQueueBytes'],
    [{ client: { name: 'web' }, flushIntervalMs: -1 }, 'flushIntervalMs'],
    [{ client: { name: 'web' }, maxBatchEvents: 20, maxQueueEvents: 10 }, 'maxBatchEvents'],
    [{ client: { name: 'web' }, initialRetryDelayMs: 10, maxRetryDelayMs: 5 }, 'maxRetryDelayMs'],
    [{ client: { name: 'web' }, maxRetryDelayMs: 2 ** 31 }, 'maxRetryDelayMs'],
    [
      {
        client: { name: 'web' },
        scrubRules: [{ name: 'x', description: '', pattern: /x/, replace: '' }],
      },
      'scrubRules',
    ],
    [
      {
        client: { name: 'web' },
        scrubRules: [{ name: 'y', description: '', pattern: /x/gy, replace: '' }],
      },
      'scrubRules',
    ],
    [
      {
        client: { name: 'web' },
        scrubRules: [{ name: 'z', description: '', pattern: /x/g, replace: '\u2039' }],
      },
      'scrubRules',
    ],
  ])('throws InvalidOptionsError at construction for %j', (options, option) => {
    const create = () =>
      createTelemetryClient(normalizeOptions(options as never), {
        transport: createTestTransport(),
        store: memoryQueue,
        platform: nullPlatform,
      })
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(expect.objectContaining({ option }) as Error)
  })

  it('keeps 0 where 0 is allowed (?? not ||)', async () => {
    const { telemetry, transport } = setup({ flushIntervalMs: 0 })
    telemetry.recordEvent('search', 'submitted')
    await vi.advanceTimersByTimeAsync(0)
    expect(transport.events).toHaveLength(1)
  })
})

describe('the queue bound', () => {
  it('drops the oldest events past maxQueueEvents and counts them', async () => {
    const { telemetry, transport, errors } = setup({ maxQueueEvents: 10, maxBatchEvents: 10 })
    transport.answerWith({ type: 'retryable', reason: 'down' })
    for (let i = 0; i < 15; i++) telemetry.recordEvent('search', 'submitted', { metadata: { i } })
    await settle(vi)
    expect(telemetry.stats()).toMatchObject({ queued: 10, dropped: { overflow: 5 } })
    expect(errors.some(e => e instanceof EventsDroppedError && e.reason === 'overflow')).toBe(true)
    transport.answerWith(batch => ({
      type: 'success',
      accepted: batch.events.map(e => e.id),
      rejected: [],
    }))
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(transport.events.at(-1)?.parameters.metadata).toEqual({ i: 14 })
    expect(new Set(transport.events.slice(-10).map(e => e.parameters.metadata?.i))).toEqual(
      new Set([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    )
  })

  it('drops the oldest events past maxQueueBytes', async () => {
    const { telemetry, transport } = setup({ maxQueueBytes: 4_000, maxBatchBytes: 4_000 })
    transport.answerWith({ type: 'retryable', reason: 'down' })
    for (let i = 0; i < 20; i++) {
      telemetry.recordEvent('search', 'submitted', { privateMetadata: { filler: 'x'.repeat(500) } })
    }
    await settle(vi)
    const { queued, dropped } = telemetry.stats()
    expect(queued).toBeGreaterThan(0)
    expect(queued).toBeLessThan(8)
    expect(queued + dropped.overflow).toBe(20)
  })
})
