// Hostile input against the real handler over HTTP on the real SQLite store: thousands of
// malformed bodies and batches of bad events. None may get a 5xx, none may store anything,
// and the server must still serve a good request afterwards.
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import fc from 'fast-check'
import superjson from 'superjson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLOSE_MARKER, OPEN_MARKER } from '../../src/protocol/markers.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import { bearerTokens } from '../../src/server/auth.js'
import { createTelemetryHandler } from '../../src/server/handler.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../src/server/stores/sqlite-store.js'

const token = 'fuzz-token-0123456789'
let directory: string
let store: ServerEventStore
let server: ServerType
let url: string

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tally-fuzz-'))
  store = openSqliteStore({ path: join(directory, 'tally.db') })
  await store.migrate()
  const handler = createTelemetryHandler({
    store,
    authenticate: bearerTokens(new Map([['fuzz', token]])),
    // The fuzz sends far more than a user would; the rate limit is tested elsewhere.
    maxEventsPerMinute: 100_000_000,
  })
  server = serve({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>(resolve => server.once('listening', () => resolve()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.api/telemetry/events`
})

afterAll(async () => {
  await new Promise<void>(resolve => server.close(() => resolve()))
  await store.close()
  rmSync(directory, { recursive: true, force: true })
})

async function send(body: string | Uint8Array) {
  const response = await fetch(url, {
    method: 'POST',
    body: body as BodyInit,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  })
  const text = await response.text()
  return { status: response.status, text }
}

const valid = {
  id: 'fuzz-valid-0000000001',
  timestamp: new Date('2026-11-27T12:00:00Z'),
  feature: 'search',
  action: 'submitted',
  source: { client: 'web' },
  sessionId: 'fuzz-session-00000001',
  parameters: { version: 1, metadata: { regex: 1 } },
}
const validBody = encodeBatch({ events: [valid], sentAt: new Date('2026-11-27T12:00:01Z') })

/** Deep nesting of arrays or objects, past any limit. */
const deep = (levels: number, object: boolean): unknown => {
  let value: unknown = 'bottom'
  for (let i = 0; i < levels; i++) value = object ? { a: value } : [value]
  return value
}

/** Each replaces one field of a valid event with something no event may hold. */
const badField = fc.oneof(
  fc
    .record({
      key: fc.constantFrom('feature', 'action'),
      value: fc.oneof(
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.string({ minLength: 65, maxLength: 300 }).map(s => `a${s}`),
      ),
    })
    .filter(({ value }) => typeof value !== 'string' || !/^[a-z][a-zA-Z0-9.-]{0,63}$/.test(value)),
  fc.record({
    key: fc.constant('timestamp'),
    value: fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.constant(new Date(Number.NaN)),
      fc.constant(new Date('1970-01-01')),
    ),
  }),
  fc.record({
    key: fc.constant('sessionId'),
    value: fc.oneof(fc.integer(), fc.constant(''), fc.string({ minLength: 65, maxLength: 100 })),
  }),
  fc.record({
    key: fc.constant('source'),
    value: fc.oneof(fc.string(), fc.constant(null), fc.record({ client: fc.integer() })),
  }),
  fc.record({
    key: fc.constant('parameters'),
    value: fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.record({
        version: fc.oneof(fc.string(), fc.double({ noInteger: true }), fc.constant(-1)),
      }),
      fc.record({
        version: fc.constant(1),
        metadata: fc.dictionary(fc.string({ minLength: 1 }), fc.string(), { minKeys: 1 }),
      }),
      fc.record({
        version: fc.constant(1),
        metadata: fc.constant(
          Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
        ),
      }),
      fc.record({
        version: fc.constant(1),
        privateMetadata: fc.constantFrom(
          deep(9, true),
          deep(9, false),
          { huge: 'x'.repeat(17 * 1024) },
          { date: new Date() },
          { big: 10n },
          { set: new Set([1]) },
        ),
      }),
      fc.record({
        version: fc.constant(1),
        billingMetadata: fc.oneof(fc.string(), fc.record({ product: fc.integer() })),
      }),
    ),
  }),
)

const badEvent = fc
  .tuple(fc.array(badField, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1e9 }))
  .map(([fields, n]) => {
    const event: Record<string, unknown> = {
      ...valid,
      id: `fuzz-bad-${String(n).padStart(12, '0')}`,
    }
    for (const { key, value } of fields) event[key] = value
    return event
  })

/** superjson refuses to write these keys, so the body is written by hand. */
const constructorKey = JSON.stringify({
  json: {
    events: [
      {
        ...valid,
        timestamp: valid.timestamp.toISOString(),
        parameters: { version: 1, privateMetadata: { constructor: { prototype: 1 } } },
      },
    ],
    sentAt: '2026-11-27T12:00:01.000Z',
  },
  meta: { values: { 'events.0.timestamp': ['Date'], sentAt: ['Date'] } },
})

/** Bodies that are not batches at all, or batches that only a hand-written encoder makes. */
const malformed = fc.oneof(
  fc.constant(constructorKey),
  fc.string(),
  fc.json(),
  fc.constant(''),
  fc.constant('{"json":'),
  fc.integer({ min: 1, max: validBody.length - 1 }).map(cut => validBody.slice(0, cut)),
  fc.constant(JSON.stringify({ json: { events: [{ ...valid, id: 7 }], sentAt: 'x' } })),
  fc.constant(
    `{"json":{"events":[],"sentAt":"2026-01-01T00:00:00.000Z"},"meta":{"values":{"sentAt":["Date"],"__proto__":["Date"]}}}`,
  ),
  fc.constant('{"json":{"__proto__":{"polluted":true},"events":[]}}'),
  fc.constant(`{"json":{"events":[],"sentAt":"x"},"meta":{"values":{"sentAt":["class","Evil"]}}}`),
  fc.constant(
    JSON.stringify({ json: { events: deep(1_000, false), sentAt: '2026-01-01T00:00:00.000Z' } }),
  ),
  fc.constant(
    JSON.stringify({
      json: { events: [], sentAt: '2026-01-01' },
      meta: { values: { sentAt: ['regexp'] } },
    }),
  ),
)

/** Batches whose every event is bad, sometimes with forged markers or pollution keys around. */
const hostileBatch = fc.array(badEvent, { minLength: 1, maxLength: 20 }).map(events => {
  const sentAt = new Date('2026-11-27T12:00:01Z')
  try {
    return superjson.stringify({ events, sentAt })
  } catch {
    // superjson refuses to write keys such as `constructor` that the generated objects may
    // hold; a hostile client writes them anyway.
    return JSON.stringify(
      { json: { events, sentAt }, meta: { values: { sentAt: ['Date'] } } },
      (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    )
  }
})

const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map(bytes => {
  const prefix = new TextEncoder().encode('{"json":"')
  // 0xC3 followed by a non-continuation byte is never valid UTF-8.
  return new Uint8Array([...prefix, 0xc3, 0x28, ...bytes])
})

describe('hostile input', { timeout: 300_000 }, () => {
  it('gets a 4xx or an all-rejected 200 for 5,000+ bodies, stores nothing, and the server stays up', async () => {
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(fc.oneof(malformed, hostileBatch, invalidUtf8), async body => {
        const { status, text } = await send(body)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        expect(status, text).toBeLessThan(500)
        if (status === 200) expect(JSON.parse(text)).toMatchObject({ accepted: [] })
        else expect(status).toBeGreaterThanOrEqual(400)
      }),
      { numRuns: 5_200 },
    )
    expect((await store.stats()).total).toBe(0)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // Forged markers in an otherwise valid event are data, not structure: stored as sent.
    const forged = {
      ...valid,
      parameters: { version: 1, privateMetadata: { q: `${CLOSE_MARKER}x${OPEN_MARKER}` } },
    }
    const good = await send(encodeBatch({ events: [forged], sentAt: new Date() }))
    expect(good.status).toBe(200)
    expect(JSON.parse(good.text)).toEqual({ accepted: [valid.id], rejected: [] })
    expect((await store.stats()).total).toBe(1)
    expect([...statuses.keys()].every(status => status < 500)).toBe(true)
  })
})
