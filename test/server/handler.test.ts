import { describe, expect, it } from 'vitest'
import { anyOf, bearerTokens } from '../../src/server/auth.js'
import { demoSessions } from '../../src/server/demo-sessions.js'
import { createTelemetryHandler, type TelemetryHandlerOptions } from '../../src/server/handler.js'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { redactable } from '../../src/protocol/redactable.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { createMemoryServerEventStore } from './memory-server-event-store.js'
import { sampleEvent } from '../support/events.js'

const sessions = demoSessions('demo-session-secret')
const token = 'sgp_local_0123456789abcdef'

function setup(options: Partial<TelemetryHandlerOptions> = {}) {
  const memory = createMemoryServerEventStore()
  let failNext = false
  const store: ServerEventStore = {
    ...memory,
    async insert(events) {
      if (failNext) {
        failNext = false
        throw new Error('store down')
      }
      return memory.insert(events)
    },
  }
  const handler = createTelemetryHandler({
    store,
    authenticate: anyOf(bearerTokens(new Map([['ci', token]])), sessions.authenticate),
    now: () => new Date('2026-11-27T12:00:10Z'),
    ...options,
  })
  const rows = () => new Map(memory.rows().map(row => [row.event.id, row]))
  return {
    store: {
      rows,
      failNextInsert() {
        failNext = true
      },
    },
    handler,
  }
}

function event(overrides: Partial<TelemetryEvent> = {}): TelemetryEvent {
  return sampleEvent({ parameters: { version: 1, metadata: { regex: 1 } }, ...overrides })
}

function post(
  handler: { fetch: (request: Request) => Response | Promise<Response> },
  body: string,
  headers: Record<string, string> = {},
) {
  return handler.fetch(
    new Request('http://127.0.0.1/.api/telemetry/events', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    }),
  )
}

const batch = (events: unknown[], sentAt = new Date('2026-11-27T12:00:00Z')) =>
  encodeBatch({ events: events as TelemetryEvent[], sentAt })

describe('POST /.api/telemetry/events', () => {
  it('stores a batch and acknowledges every id', async () => {
    const { store, handler } = setup()
    const events = [event(), event()]
    const response = await post(handler, batch(events))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accepted: events.map(e => e.id), rejected: [] })
    expect(store.rows().size).toBe(2)
  })

  it('judges each event alone: a bad one is rejected with a reason, the rest stored', async () => {
    const { store, handler } = setup()
    const good = event()
    const bad = event({ feature: 'Not A Name' })
    const response = await post(handler, batch([good, bad]))
    const body = (await response.json()) as {
      accepted: string[]
      rejected: { id: string; reason: string }[]
    }
    expect(response.status).toBe(200)
    expect(body.accepted).toEqual([good.id])
    expect(body.rejected).toEqual([
      { id: bad.id, reason: expect.stringContaining('feature') as string },
    ])
    expect([...store.rows().keys()]).toEqual([good.id])
  })

  it('answers 200 with every event rejected when all are bad, and stores nothing', async () => {
    const { store, handler } = setup()
    const response = await post(handler, batch([event({ action: '' }), event({ action: '!' })]))
    expect(response.status).toBe(200)
    expect(((await response.json()) as { rejected: unknown[] }).rejected).toHaveLength(2)
    expect(store.rows().size).toBe(0)
  })

  it('stores a retried or duplicated event once', async () => {
    const { store, handler } = setup()
    const e = event()
    await post(handler, batch([e, e]))
    const again = await post(handler, batch([e]))
    expect(await again.json()).toEqual({ accepted: [e.id], rejected: [] })
    expect(store.rows().size).toBe(1)
  })

  it('derives the user from authentication, never from the events', async () => {
    const { store, handler } = setup()
    const forged = { ...event(), user: 'admin', userId: 1 }
    await post(handler, batch([forged]))
    await post(handler, batch([event()]), {
      authorization: '',
      cookie: `tally_session=${sessions.create('alice')}`,
    })
    const [first, second] = [...store.rows().values()]
    expect(first?.userId).toBe(1)
    expect(second?.userId).toBe(2)
    expect(JSON.stringify(first?.event)).not.toContain('admin')
  })

  it('scrubs again on receipt, whatever the client did', async () => {
    const { store, handler } = setup()
    const leaked = event({
      parameters: { version: 1, privateMetadata: { note: 'mail bob@example.com' } },
    })
    await post(handler, batch([leaked]))
    expect(JSON.stringify([...store.rows().values()])).not.toContain('bob@example.com')
  })

  it('keeps the client time and corrects it by the skew sentAt reveals', async () => {
    const { store, handler } = setup()
    // The client clock is 1 h behind: it stamped 11:00 and sent at 11:00:05; the server got it at 12:00:10.
    const e = event({ timestamp: new Date('2026-11-27T11:00:00Z') })
    await post(handler, batch([e], new Date('2026-11-27T11:00:05Z')))
    const row = store.rows().get(e.id)
    expect(row?.event.timestamp).toEqual(new Date('2026-11-27T11:00:00Z'))
    expect(row?.correctedTimestamp).toEqual(new Date('2026-11-27T12:00:05Z'))
  })

  it('ignores a correction that would leave the plausible range (a hostile sentAt)', async () => {
    const { store, handler } = setup()
    const e = event()
    const response = await post(handler, batch([e], new Date(-8.6e15)))
    expect(response.status).toBe(200)
    expect(store.rows().get(e.id)?.correctedTimestamp).toEqual(e.timestamp)
  })

  it('keeps redactable markers for the exporter', async () => {
    const { store, handler } = setup()
    const e = event({
      parameters: { version: 1, privateMetadata: { q: redactable`repo:${'secret-repo'}` } },
    })
    await post(handler, batch([e]))
    expect(store.rows().get(e.id)?.event.parameters.privateMetadata).toEqual({
      q: 'repo:\u2039secret-repo\u203a',
    })
  })

  it.each([
    ['no credentials', { authorization: '' }, 401, 'unauthenticated'],
    ['a wrong token', { authorization: 'Bearer nope' }, 401, 'unauthenticated'],
    [
      'a forged session cookie',
      { authorization: '', cookie: 'tally_session=alice.forged' },
      401,
      'unauthenticated',
    ],
    [
      'a wrong content type',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'unsupported-media-type',
    ],
  ])('refuses %s', async (_, headers, status, code) => {
    const { store, handler } = setup()
    const response = await post(handler, batch([event()]), headers)
    expect(response.status).toBe(status)
    expect(await response.json()).toMatchObject({ error: { code } })
    expect(store.rows().size).toBe(0)
  })

  it('accepts text/plain bodies, as keepalive sends use', async () => {
    const { store, handler } = setup()
    const response = await post(handler, batch([event()]), {
      'content-type': 'text/plain;charset=UTF-8',
    })
    expect(response.status).toBe(200)
    expect(store.rows().size).toBe(1)
  })

  it('answers 400 to a body that is not a batch', async () => {
    const { handler } = setup()
    for (const body of ['', 'not json', '{"json":{"events":[{"id":1}],"sentAt":"x"}}', '[]']) {
      const response = await post(handler, body)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ error: { code: 'bad-request' } })
    }
  })

  it('answers 413 past 1 MiB or 1,000 events', async () => {
    const { store, handler } = setup()
    const big = await post(handler, 'x'.repeat(1024 * 1024 + 1))
    expect(big.status).toBe(413)
    const many = await post(handler, batch(Array.from({ length: 1001 }, () => event())))
    expect(many.status).toBe(413)
    expect(store.rows().size).toBe(0)
  })

  it('answers 429 with Retry-After past the per-user rate', async () => {
    const { handler } = setup({ maxEventsPerMinute: 3 })
    expect((await post(handler, batch([event(), event(), event()]))).status).toBe(200)
    const limited = await post(handler, batch([event()]))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  })

  it('answers 503 and acknowledges nothing when the store fails', async () => {
    const { store, handler } = setup()
    store.failNextInsert()
    const response = await post(handler, batch([event()]))
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } })
  })

  it('maps anonymous visitors to numeric ids when allowed', async () => {
    const { store, handler } = setup({ allowAnonymous: true })
    const response = await post(handler, batch([event()]), {
      authorization: '',
      'x-tally-anonymous-id': 'V1StGXR8_Z5jdHi6B-myT',
    })
    expect(response.status).toBe(200)
    expect([...store.rows().values()][0]?.userId).toBe(1)
  })
})

describe('GET /.api/telemetry/config', () => {
  it('tells clients the capabilities', async () => {
    const { handler } = setup({ exportMode: 'off' })
    const response = await handler.fetch(new Request('http://127.0.0.1/.api/telemetry/config'))
    expect(await response.json()).toEqual({
      enabled: true,
      maxBatchEvents: 1000,
      maxBatchBytes: 1048576,
      exportMode: 'off',
    })
  })
})

describe('CORS', () => {
  it('answers preflights and sets headers for configured origins only', async () => {
    const { handler } = setup({ corsOrigins: ['https://app.example.com'] })
    const preflight = (origin: string) =>
      handler.fetch(
        new Request('http://127.0.0.1/.api/telemetry/events', {
          method: 'OPTIONS',
          headers: { origin },
        }),
      )
    const allowed = await preflight('https://app.example.com')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    const refused = await preflight('https://evil.example.com')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    const response = await post(handler, batch([event()]), { origin: 'https://evil.example.com' })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('GET /metrics', () => {
  it('counts requests and events in the Prometheus text format', async () => {
    const { handler } = setup({ metrics: () => 'tally_export_backlog 0\n' })
    const e = event()
    await post(handler, batch([e, event({ feature: 'Bad' })]))
    await post(handler, batch([e]))
    const text = await (await handler.fetch(new Request('http://127.0.0.1/metrics'))).text()
    expect(text).toContain('tally_ingest_requests_total{status="200"} 2')
    expect(text).toContain('tally_ingest_events_total{outcome="stored"} 1')
    expect(text).toContain('tally_ingest_events_total{outcome="duplicate"} 1')
    expect(text).toContain('tally_ingest_events_total{outcome="rejected"} 1')
    expect(text).toContain('tally_export_backlog 0')
  })
})
