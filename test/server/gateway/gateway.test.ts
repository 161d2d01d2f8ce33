import fc from 'fast-check'
import superjson from 'superjson'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  emptyAllowlist,
  redactForExport,
  type ExportedEvent,
} from '../../../src/protocol/export-redaction.js'
import { encodeExportBatch } from '../../../src/server/export/gateway-client.js'
import { createGateway, type GatewayOptions } from '../../../src/server/gateway/gateway.js'
import type { GatewayStore } from '../../../src/server/gateway/gateway-store.js'
import { openTemporaryGatewayStore } from '../../../src/server/gateway/temporary-gateway-store.js'
import { ingested } from '../../support/server-events.js'

const keys = new Map([
  ['acme', 'acme-key-0123456789'],
  ['globex', 'globex-key-0123456789'],
])
const adminKey = 'admin-key-0123456789'

const stores: GatewayStore[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
})

async function gateway(options: Partial<GatewayOptions> = {}) {
  const store = options.store ?? (await openTemporaryGatewayStore())
  stores.push(store)
  const app = createGateway({ store, instanceKeys: keys, adminKey, ...options })
  return { app, store }
}

/** An event as an instance exports it (full mode, so privateMetadata travels as stored). */
function exported(options: Parameters<typeof ingested>[0] = {}): ExportedEvent {
  const result = redactForExport(ingested(options), 'full', emptyAllowlist)
  if (!result) throw new Error('full mode exports')
  return result.exported
}

function post(
  app: ReturnType<typeof createGateway>,
  body: string,
  headers: Record<string, string> = {},
  instance = 'acme',
) {
  return app.request('/v1/events', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${keys.get(instance) ?? ''}`,
      'x-tally-instance': instance,
      ...headers,
    },
    body,
  })
}

function postEvents(
  app: ReturnType<typeof createGateway>,
  events: readonly unknown[],
  instance = 'acme',
) {
  return post(app, encodeExportBatch(events as ExportedEvent[], new Date()), {}, instance)
}

async function list(
  app: ReturnType<typeof createGateway>,
  query: string,
  key: string | null = keys.get('acme') ?? null,
) {
  const response = await app.request(`/v1/events?${query}`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  })
  return {
    status: response.status,
    body: (await response.json()) as {
      total: number
      events: { id: string; receivedAt: string; event: Record<string, unknown> }[]
      error?: { code: string; message: string }
    },
  }
}

interface Acks {
  accepted: string[]
  rejected: { id: string; reason: string }[]
}

describe('gateway: POST /v1/events authenticates the instance', () => {
  it.each([
    ['no authorization', { authorization: '' }],
    ['a wrong key', { authorization: 'Bearer wrong-key' }],
    ['the key of another instance', { authorization: `Bearer ${keys.get('globex') ?? ''}` }],
    ['an unknown instance', { 'x-tally-instance': 'initech' }],
    ['no instance header', { 'x-tally-instance': '' }],
    ['a basic scheme', { authorization: `Basic ${keys.get('acme') ?? ''}` }],
  ])('answers 401 with a JSON error for %s, storing nothing', async (_name, headers) => {
    const { app, store } = await gateway()
    const response = await post(app, encodeExportBatch([exported()], new Date()), headers)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) as string },
    })
    expect(await store.count('acme')).toBe(0)
  })
})

describe('gateway: POST /v1/events refuses bodies that are not a batch', () => {
  it.each([
    ['text that is not JSON', '{"json": [1,'],
    ['JSON that is not superjson', '{"events": []}'],
    ['a batch without sentAt', superjson.stringify({ events: [] })],
    [
      'an event without a string id',
      superjson.stringify({ events: [{ id: 1 }], sentAt: new Date() }),
    ],
    ['a __proto__ key', '{"json":{"events":[],"sentAt":"x","__proto__":{}}}'],
    [
      'a superjson annotation other than Date',
      superjson.stringify({ events: [], sentAt: new Date(), extra: new Map() }),
    ],
  ])('answers 400 for %s', async (_name, body) => {
    const { app } = await gateway()
    const response = await post(app, body)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { code: 'invalid-body', message: expect.any(String) as string },
    })
  })

  it('answers 415 for a body that is not declared JSON', async () => {
    const { app } = await gateway()
    const response = await post(app, encodeExportBatch([exported()], new Date()), {
      'content-type': 'text/plain',
    })
    expect(response.status).toBe(415)
  })

  it('answers 413 for a body over maxBodyBytes, before decoding it', async () => {
    const { app, store } = await gateway({ maxBodyBytes: 2048 })
    const events = Array.from({ length: 10 }, () => exported())
    const response = await postEvents(app, events)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'payload-too-large' } })
    expect(await store.count('acme')).toBe(0)
  })

  it('answers 413 for a streamed body without content-length once it passes the bound', async () => {
    const { app } = await gateway({ maxBodyBytes: 2048 })
    const text = encodeExportBatch(
      Array.from({ length: 10 }, () => exported()),
      new Date(),
    )
    const bytes = new TextEncoder().encode(text)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 512) controller.enqueue(bytes.slice(at, at + 512))
        controller.close()
      },
    })
    const response = await app.request('/v1/events', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.get('acme') ?? ''}`,
        'x-tally-instance': 'acme',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
  })

  it('answers 413 for more events than maxBatchEvents', async () => {
    const { app } = await gateway({ maxBatchEvents: 2 })
    const response = await postEvents(app, [exported(), exported(), exported()])
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'too-many-events' } })
  })
})

describe('gateway: POST /v1/events judges and stores each event once', () => {
  it('acknowledges and stores valid events', async () => {
    const { app, store } = await gateway()
    const events = [exported(), exported()]
    const response = await postEvents(app, events)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accepted: events.map(e => e.id), rejected: [] })
    expect(await store.count('acme')).toBe(2)
  })

  it('acknowledges a duplicate send again without a second row', async () => {
    const { app, store } = await gateway()
    const events = [exported(), exported()]
    await postEvents(app, events)
    const again = (await (await postEvents(app, events)).json()) as Acks
    expect(again.accepted).toEqual(events.map(e => e.id))
    expect(await store.count('acme')).toBe(2)
  })

  it('stores an id repeated inside one batch once, acknowledging it once', async () => {
    const { app, store } = await gateway()
    const event = exported()
    const acks = (await (await postEvents(app, [event, event])).json()) as Acks
    expect(acks).toEqual({ accepted: [event.id], rejected: [] })
    expect(await store.count('acme')).toBe(1)
  })

  it('keeps the events of different instances apart, even under the same id', async () => {
    const { app, store } = await gateway()
    const event = exported()
    await postEvents(app, [event], 'acme')
    await postEvents(app, [event], 'globex')
    expect(await store.count('acme')).toBe(1)
    expect(await store.count('globex')).toBe(1)
  })

  it.each<[string, (event: Record<string, unknown>) => void, RegExp]>([
    ['a feature that breaks the name rule', e => (e.feature = 'Search'), /^feature: /],
    [
      'string metadata',
      e => ((e.parameters as Record<string, unknown>).metadata = { count: 'three' }),
      /parameters\.metadata\.count/,
    ],
    ['no userId', e => delete e.userId, /userId/],
    ['a negative userId', e => (e.userId = -1), /userId/],
    ['no clientTimestamp', e => delete e.clientTimestamp, /clientTimestamp/],
    ['a receivedAt that is not a Date', e => (e.receivedAt = '2024-05-01'), /receivedAt/],
    ['a timestamp from 1990', e => (e.timestamp = new Date('1990-01-01')), /timestamp/],
    ['an id outside the alphabet', e => (e.id = 'not an id!'), /^id: /],
  ])('refuses %s in `rejected` with a reason, storing nothing of it', async (_n, spoil, reason) => {
    const { app, store } = await gateway()
    const good = exported()
    const bad = exported() as unknown as Record<string, unknown>
    spoil(bad)
    const acks = (await (await postEvents(app, [good, bad])).json()) as Acks
    expect(acks.accepted).toEqual([good.id])
    expect(acks.rejected).toEqual([{ id: bad.id, reason: expect.stringMatching(reason) as string }])
    expect(await store.count('acme')).toBe(1)
  })

  it('answers 200 with every event in `rejected` when all are bad', async () => {
    const { app, store } = await gateway()
    const events = [exported(), exported()].map(e => ({ ...e, feature: '' }))
    const response = await postEvents(app, events)
    expect(response.status).toBe(200)
    const acks = (await response.json()) as Acks
    expect(acks.accepted).toEqual([])
    expect(acks.rejected.map(r => r.id)).toEqual(events.map(e => e.id))
    expect(await store.count('acme')).toBe(0)
  })

  it('refuses an oversized event as oversized, so the instance never retries it', async () => {
    const { app, store } = await gateway({ maxEventBytes: 4096 })
    const big = exported({ privateMetadata: { blob: 'x'.repeat(5000) } })
    const small = exported()
    const acks = (await (await postEvents(app, [big, small])).json()) as Acks
    expect(acks.accepted).toEqual([small.id])
    expect(acks.rejected).toEqual([
      { id: big.id, reason: expect.stringMatching(/^oversized/) as string },
    ])
    expect(await store.count('acme')).toBe(1)
  })

  it('accepts a valid copy of an id that an earlier copy in the batch spoiled', async () => {
    const { app } = await gateway()
    const good = exported()
    const acks = (await (await postEvents(app, [{ ...good, feature: '' }, good])).json()) as Acks
    expect(acks).toEqual({ accepted: [good.id], rejected: [] })
  })

  it('stores the clean copy, without fields it does not know', async () => {
    const { app } = await gateway()
    const event = { ...exported(), injected: 'x', user: 'alice' }
    await postEvents(app, [event])
    const { body } = await list(app, 'instance=acme')
    expect(body.events[0]?.event).not.toHaveProperty('injected')
    expect(body.events[0]?.event).not.toHaveProperty('user')
    expect(body.events[0]?.event).toMatchObject({ id: event.id, userId: 7 })
  })

  it('answers 500 with a JSON error when the store fails, and reports the error', async () => {
    const real = await openTemporaryGatewayStore()
    stores.push(real)
    const failing: GatewayStore = {
      ...real,
      insert: () => Promise.reject(new Error('disk full')),
    }
    const onInternalError = vi.fn()
    const { app } = await gateway({ store: failing, onInternalError })
    const response = await postEvents(app, [exported()])
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: { code: 'internal' } })
    expect(onInternalError).toHaveBeenCalledWith(new Error('disk full'))
  })
})

describe('gateway: GET /v1/events lists what an instance sent', () => {
  it('lists events in the order received, newest last, as JSON', async () => {
    const { app } = await gateway()
    const first = [exported(), exported()]
    const second = [exported()]
    await postEvents(app, first)
    await postEvents(app, second)
    const { status, body } = await list(app, 'instance=acme')
    expect(status).toBe(200)
    expect(body.total).toBe(3)
    expect(body.events.map(e => e.id)).toEqual([...first, ...second].map(e => e.id))
    expect(body.events[0]).toEqual({
      id: first[0]?.id,
      receivedAt: expect.any(String) as string,
      event: JSON.parse(JSON.stringify(first[0])) as unknown,
    })
  })

  it('gives the newest `limit` events, still newest last', async () => {
    const { app } = await gateway()
    const events = [exported(), exported(), exported(), exported()]
    for (const event of events) await postEvents(app, [event])
    const { body } = await list(app, 'instance=acme&limit=2')
    expect(body.total).toBe(4)
    expect(body.events.map(e => e.id)).toEqual(events.slice(2).map(e => e.id))
  })

  it('accepts the admin key for any instance', async () => {
    const { app } = await gateway()
    await postEvents(app, [exported()], 'globex')
    const { status, body } = await list(app, 'instance=globex', adminKey)
    expect(status).toBe(200)
    expect(body.total).toBe(1)
  })

  it.each([
    ['no key', null],
    ['a wrong key', 'nope'],
    ["another instance's key", keys.get('globex') ?? null],
  ])('answers 401 for %s', async (_name, key) => {
    const { app } = await gateway()
    const { status, body } = await list(app, 'instance=acme', key)
    expect(status).toBe(401)
    expect(body.error?.code).toBe('unauthorized')
  })

  it('lets no key list an unknown instance when no admin key is configured', async () => {
    const store = await openTemporaryGatewayStore()
    stores.push(store)
    const noAdmin = createGateway({ store, instanceKeys: keys })
    expect((await list(noAdmin, 'instance=initech', keys.get('acme') ?? null)).status).toBe(401)
    expect((await list(noAdmin, 'instance=initech', adminKey)).status).toBe(401)
    expect((await list(noAdmin, 'instance=initech', '')).status).toBe(401)
  })

  it.each([
    ['no instance', 'limit=5'],
    ['a limit of 0', 'instance=acme&limit=0'],
    ['a limit that is not a number', 'instance=acme&limit=ten'],
    ['a negative limit', 'instance=acme&limit=-1'],
    ['a limit past the maximum', 'instance=acme&limit=10001'],
  ])('answers 400 for %s', async (_name, query) => {
    const { app } = await gateway()
    const { status, body } = await list(app, query)
    expect(status).toBe(400)
    expect(body.error?.code).toBe('invalid-query')
  })

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = await gateway()
    const response = await app.request('/v2/events')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not-found' } })
  })
})

/** superjson refuses to encode the `__proto__` keys fast-check generates: send one raw instead. */
function encode(value: unknown): string {
  try {
    return superjson.stringify(value)
  } catch {
    return '{"json":{"__proto__":{"events":[]}}}'
  }
}

describe('gateway: hostile bodies', () => {
  it('answers every malformed body with a 4xx, or 200 with nothing bad stored', async () => {
    const { app, store } = await gateway({ maxBodyBytes: 64 * 1024 })
    const anyEvent = fc.record(
      {
        id: fc.oneof(fc.string(), fc.constant('evt_fuzz_0001')),
        feature: fc.string(),
        action: fc.string(),
        timestamp: fc.oneof(fc.date(), fc.string()),
        userId: fc.oneof(fc.integer(), fc.string()),
        parameters: fc.anything(),
      },
      { requiredKeys: ['id'] },
    )
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.anything().map(value => encode(value)),
      fc.array(anyEvent, { maxLength: 5 }).map(events => encode({ events, sentAt: new Date() })),
      fc.tuple(fc.array(anyEvent, { maxLength: 3 }), fc.nat()).map(([events, cut]) => {
        const text = encode({ events, sentAt: new Date() })
        return text.slice(0, cut % (text.length + 1))
      }),
    )
    await fc.assert(
      fc.asyncProperty(body, async text => {
        const response = await post(app, text)
        expect(response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(
          true,
        )
        if (response.status === 200) {
          const acks = (await response.json()) as Acks
          expect(acks.accepted).toEqual([])
        }
      }),
      { numRuns: 1_000 },
    )
    expect(await store.count('acme')).toBe(0)
    // A thousand requests on a machine shared with other test files: room, not a speed bound.
  }, 30_000)
})
