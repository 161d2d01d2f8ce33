import { gzipSync } from 'node:zlib'
import superjson from 'superjson'
import { describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import { bearerTokens } from '../../src/server/auth.js'
import { createTelemetryHandler } from '../../src/server/handler.js'
import { sampleEvent } from '../support/events.js'
import { createMemoryServerEventStore } from './memory-server-event-store.js'

const token = 'sgp_local_0123456789abcdef'
const maxBodyBytes = 1024 * 1024

function setup() {
  const memory = createMemoryServerEventStore()
  const handler = createTelemetryHandler({
    store: memory,
    authenticate: bearerTokens(new Map([['ci', token]])),
    corsOrigins: ['https://app.example.com'],
    maxBodyBytes,
    now: () => new Date('2026-11-27T12:00:10Z'),
  })
  const storedIds = () => memory.rows().map(row => row.event.id)
  return { handler, storedIds }
}

function post(
  handler: ReturnType<typeof setup>['handler'],
  body: string | Uint8Array<ArrayBuffer>,
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

const sentAt = new Date('2026-11-27T12:00:00Z')
const events = (count: number): TelemetryEvent[] =>
  Array.from({ length: count }, () =>
    sampleEvent({ parameters: { version: 1, metadata: { regex: 1, resultCount: 37 } } }),
  )
const gzip = (text: string) => new Uint8Array(gzipSync(text))

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error
}

describe('Content-Encoding on POST /.api/telemetry/events', () => {
  it('stores a gzipped batch and an identity one alike', async () => {
    const { handler, storedIds } = setup()
    const zipped = events(50)
    const plain = events(2)
    const first = await post(handler, gzip(encodeBatch({ events: zipped, sentAt })), {
      'content-encoding': 'gzip',
    })
    const second = await post(handler, encodeBatch({ events: plain, sentAt }), {
      'content-encoding': 'identity',
    })
    expect([first.status, second.status]).toEqual([200, 200])
    expect(await first.json()).toEqual({ accepted: zipped.map(e => e.id), rejected: [] })
    expect(storedIds().sort()).toEqual([...zipped, ...plain].map(e => e.id).sort())
  })

  it('accepts the superjson format of earlier clients, plain or gzipped', async () => {
    const { handler, storedIds } = setup()
    const plain = events(3)
    const zipped = events(3)
    const first = await post(handler, superjson.stringify({ events: plain, sentAt }))
    const second = await post(handler, gzip(superjson.stringify({ events: zipped, sentAt })), {
      'content-encoding': 'x-gzip',
    })
    expect([first.status, second.status]).toEqual([200, 200])
    expect(storedIds().sort()).toEqual([...plain, ...zipped].map(e => e.id).sort())
  })

  it('refuses a gigabyte of zeros in a megabyte with 413, holding no more than the bound', async () => {
    const { handler, storedIds } = setup()
    // gzip members may be concatenated (RFC 1952 §2.2): 990 copies of 1 MiB of zeros, 1 KB each.
    const member = gzipSync(Buffer.alloc(1024 * 1024))
    const bomb = new Uint8Array(Buffer.concat(Array.from({ length: 990 }, () => member)))
    expect(bomb.byteLength).toBeLessThan(maxBodyBytes)
    const peakBefore = process.resourceUsage().maxRSS
    const response = await post(handler, bomb, { 'content-encoding': 'gzip' })
    const grownKiB = process.resourceUsage().maxRSS - peakBefore
    expect(response.status).toBe(413)
    expect(await errorOf(response)).toMatchObject({ code: 'too-large' })
    // Inflating the whole body would take 990 MiB; the bound allows 1 MiB and a few chunks.
    expect(grownKiB).toBeLessThan(200 * 1024)
    expect(storedIds()).toEqual([])
  })

  it('refuses a gzipped body over the bound before inflating it', async () => {
    const { handler } = setup()
    const random = new Uint8Array(maxBodyBytes + 1)
    for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24
    const response = await post(handler, random, { 'content-encoding': 'gzip' })
    expect(response.status).toBe(413)
  })

  it.each([
    ['br', 'br'],
    ['deflate', 'deflate'],
    ['a list of codings', 'gzip, gzip'],
  ])('refuses %s with 415, naming what it accepts', async (_name, coding) => {
    const { handler, storedIds } = setup()
    const response = await post(handler, encodeBatch({ events: events(1), sentAt }), {
      'content-encoding': coding,
    })
    expect(response.status).toBe(415)
    expect(response.headers.get('accept-encoding')).toBe('gzip, identity')
    const error = await errorOf(response)
    expect(error.code).toBe('unsupported-media-type')
    expect(error.message).toContain(JSON.stringify(coding))
    expect(error.message).toContain('send gzip or identity')
    expect(storedIds()).toEqual([])
  })

  it('refuses a body that claims gzip but is not, or is cut short, with 400', async () => {
    const { handler } = setup()
    const whole = gzip(encodeBatch({ events: events(20), sentAt }))
    for (const body of [encodeBatch({ events: events(1), sentAt }), whole.slice(0, -10)]) {
      const response = await post(handler, body, {
        'content-encoding': 'gzip',
      })
      expect(response.status).toBe(400)
      expect(await errorOf(response)).toEqual({
        code: 'bad-request',
        message: 'the body is not valid gzip',
      })
    }
  })

  it('lets a cross-origin sender name Content-Encoding in its preflight', async () => {
    const { handler } = setup()
    const response = await handler.fetch(
      new Request('http://127.0.0.1/.api/telemetry/events', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com' },
      }),
    )
    expect(response.headers.get('access-control-allow-headers')).toContain('content-encoding')
  })
})
