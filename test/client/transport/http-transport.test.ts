import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHttpTransport } from '../../../src/client/transport/http-transport.js'
import type { SendResult } from '../../../src/client/transport/transport.js'
import { configPath, eventsPath } from '../../../src/protocol/config.js'
import type { EventBatch, TelemetryEvent } from '../../../src/protocol/event.js'
import { decodeBatch } from '../../../src/protocol/wire.js'

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingMessage['headers']
  /** The body as sent, gunzipped when it came with `Content-Encoding: gzip`. */
  body: string
  /** Bytes on the wire. */
  bytes: number
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void

const servers: Server[] = []

afterEach(async () => {
  vi.unstubAllGlobals()
  for (const server of servers.splice(0)) {
    // A server that never answers keeps its sockets open; close them so teardown cannot hang.
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
})

/** A real HTTP server on 127.0.0.1, on a port of the OS's choosing, closed after the test. */
async function serve(handler: Handler): Promise<{ baseUrl: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks)
      const gzipped = request.headers['content-encoding'] === 'gzip'
      const body = (gzipped ? gunzipSync(raw) : raw).toString('utf8')
      received.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body,
        bytes: raw.byteLength,
      })
      handler(request, response, body)
    })
  })
  servers.push(server)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { baseUrl: `http://127.0.0.1:${String(port)}`, received }
}

function answer(status: number, body: unknown = '', headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    response.writeHead(status, { 'content-type': 'application/json', ...headers })
    response.end(text)
  }
}

/** Acknowledges every event id of the batch it received. */
const acknowledgeAll: Handler = (_request, response, body) => {
  const decoded = decodeBatch(body)
  const accepted = decoded.ok ? decoded.batch.events.map(event => event.id) : []
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ accepted, rejected: [] }))
}

function makeEvent(id: string): TelemetryEvent {
  return {
    id,
    timestamp: new Date('2026-11-27T11:59:58.250Z'),
    feature: 'blob.codeintel',
    action: 'goToDefinition',
    source: { client: 'vscode', clientVersion: '1.92.0' },
    sessionId: 'session-0001',
    parameters: {
      version: 2,
      metadata: { resultCount: 3 },
      privateMetadata: { query: 'repo:a b', nested: { list: [1, null, true] } },
      interactionId: 'interaction-0001',
    },
  }
}

function makeBatch(...ids: string[]): EventBatch {
  return { events: ids.map(makeEvent), sentAt: new Date('2026-11-27T12:00:00.000Z') }
}

const reasonOf = (result: SendResult) => ('reason' in result ? result.reason : '')

const batch = makeBatch('V1StGXR8_Z5jdHi6B-myT', 'second-event-0002')

describe('the request', () => {
  it('is a POST of the compact batch as application/json to the events path', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    await createHttpTransport({ baseUrl }).send(batch, {})

    expect(received).toHaveLength(1)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe('/.api/telemetry/events')
    expect(eventsPath).toBe('/.api/telemetry/events')
    expect(request?.headers['content-type']).toBe('application/json')

    const decoded = decodeBatch(request?.body ?? '')
    if (!decoded.ok) throw new Error(`the server could not decode the body: ${decoded.reason}`)
    expect(decoded.batch.events).toEqual(batch.events)
    expect(decoded.batch.sentAt).toEqual(batch.sentAt)
    expect(decoded.batch.events[0]?.timestamp).toBeInstanceOf(Date)
  })

  it('at unload is a keepalive send as text/plain, which needs no CORS preflight', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    const result = await createHttpTransport({ baseUrl }).send(batch, { keepalive: true })
    expect(result.type).toBe('success')
    expect(received[0]?.headers['content-type']).toBe('text/plain')
    const decoded = decodeBatch(received[0]?.body ?? '')
    expect(decoded.ok && decoded.batch.events.map(event => event.id)).toEqual([
      'V1StGXR8_Z5jdHi6B-myT',
      'second-event-0002',
    ])
  })

  it('is gzipped, with Content-Encoding: gzip, once the batch passes a kilobyte', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    const large = makeBatch(...Array.from({ length: 40 }, (_, i) => `large-batch-event-${i}`))
    const result = await createHttpTransport({ baseUrl }).send(large, {})
    expect(result.type).toBe('success')
    const [request] = received
    expect(request?.headers['content-encoding']).toBe('gzip')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.bytes).toBeLessThan(Buffer.byteLength(request?.body ?? '') / 2)
    const decoded = decodeBatch(request?.body ?? '')
    expect(decoded.ok && decoded.batch.events).toEqual(large.events)
  })

  it('goes plain when it is small, where CompressionStream is missing, and at unload', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    const large = makeBatch(...Array.from({ length: 40 }, (_, i) => `large-batch-event-${i}`))
    const transport = createHttpTransport({ baseUrl })
    await transport.send(batch, {})
    await transport.send(large, { keepalive: true })
    vi.stubGlobal('CompressionStream', undefined)
    await transport.send(large, {})
    expect(received.map(request => request.headers['content-encoding'])).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    for (const request of received) {
      expect(request.bytes).toBe(Buffer.byteLength(request.body))
      expect(decodeBatch(request.body).ok).toBe(true)
    }
  })

  it('carries the access token as a bearer token', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    await createHttpTransport({ baseUrl }).send(batch, { accessToken: 'sgp_secret_token' })
    expect(received[0]?.headers.authorization).toBe('Bearer sgp_secret_token')
  })

  it('sends no authorization header without an access token', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    await createHttpTransport({ baseUrl }).send(batch, {})
    expect(received[0]?.headers).not.toHaveProperty('authorization')
  })

  it.each(['/', '///'])('handles a baseUrl ending in %j', async suffix => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    await createHttpTransport({ baseUrl: baseUrl + suffix }).send(batch, {})
    expect(received[0]?.url).toBe('/.api/telemetry/events')
  })

  it('keeps a path prefix of the baseUrl', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    await createHttpTransport({ baseUrl: `${baseUrl}/sourcegraph/` }).send(batch, {})
    expect(received[0]?.url).toBe('/sourcegraph/.api/telemetry/events')
  })

  it('sends a fresh request each time, never retrying on its own', async () => {
    const { baseUrl, received } = await serve(answer(503))
    const transport = createHttpTransport({ baseUrl })
    await transport.send(batch, {})
    await transport.send(batch, {})
    expect(received).toHaveLength(2)
  })
})

describe('the result', () => {
  it('is success with the acknowledged and rejected ids on a 200', async () => {
    const { baseUrl } = await serve(
      answer(200, {
        accepted: ['V1StGXR8_Z5jdHi6B-myT'],
        rejected: [{ id: 'second-event-0002', reason: 'feature: not a name' }],
      }),
    )
    expect(await createHttpTransport({ baseUrl }).send(batch, {})).toEqual({
      type: 'success',
      accepted: ['V1StGXR8_Z5jdHi6B-myT'],
      rejected: [{ id: 'second-event-0002', reason: 'feature: not a name' }],
    })
  })

  it('is retryable after the Retry-After delay on a 503', async () => {
    const { baseUrl } = await serve(answer(503, '', { 'retry-after': '2' }))
    expect(await createHttpTransport({ baseUrl }).send(batch, {})).toEqual({
      type: 'retryable',
      reason: 'HTTP 503',
      retryAfterMs: 2_000,
    })
  })

  it.each([
    [413, 'too-large'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [422, 'rejected'],
    [429, 'retryable'],
  ] as const)('is %i → %s, with the error message in the reason', async (status, type) => {
    const { baseUrl } = await serve(
      answer(status, { error: { code: 'refused', message: 'not today' } }),
    )
    expect(await createHttpTransport({ baseUrl }).send(batch, {})).toEqual({
      type,
      reason: `HTTP ${String(status)}: not today`,
    })
  })

  it('is retryable on a 200 whose body names no ids', async () => {
    const { baseUrl } = await serve(answer(200, '<html>captive portal</html>'))
    const result = await createHttpTransport({ baseUrl }).send(batch, {})
    expect(result.type).toBe('retryable')
  })

  it('is retryable (network) when the server destroys the socket', async () => {
    const { baseUrl, received } = await serve(request => request.socket.destroy())
    const result = await createHttpTransport({ baseUrl }).send(batch, {})
    expect(received).toHaveLength(1)
    expect(result.type).toBe('retryable')
    expect(reasonOf(result)).toMatch(/^network: /)
  })

  it('is retryable (network) when nothing listens at the address', async () => {
    const { baseUrl } = await serve(acknowledgeAll)
    const server = servers.pop()
    await new Promise(resolve => server?.close(resolve))
    const result = await createHttpTransport({ baseUrl }).send(batch, {})
    expect(result.type).toBe('retryable')
  })

  it('is retryable within about a second when the server never answers', async () => {
    const { baseUrl, received } = await serve(() => {})
    const started = performance.now()
    const result = await createHttpTransport({ baseUrl, requestTimeoutMs: 200 }).send(batch, {})
    const elapsedMs = performance.now() - started
    expect(received).toHaveLength(1)
    expect(result.type).toBe('retryable')
    expect(reasonOf(result)).toMatch(/^network: .*no complete answer within 200 ms/)
    expect(elapsedMs).toBeGreaterThanOrEqual(150)
    expect(elapsedMs).toBeLessThan(1_500)
  })

  it('is retryable within about a second when the headers arrive but the body stalls', async () => {
    const { baseUrl } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"accepted":[')
    })
    const started = performance.now()
    const result = await createHttpTransport({ baseUrl, requestTimeoutMs: 200 }).send(batch, {})
    expect(result.type).toBe('retryable')
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('is a result, never a throw, for a signal aborted before the send', async () => {
    const { baseUrl } = await serve(acknowledgeAll)
    const send = createHttpTransport({ baseUrl }).send(batch, { signal: AbortSignal.abort() })
    await expect(send).resolves.toMatchObject({ type: 'retryable' } satisfies Partial<SendResult>)
  })

  it('is a result, never a throw, for a signal aborted while waiting for the answer', async () => {
    const { baseUrl, received } = await serve(() => {})
    const controller = new AbortController()
    const send = createHttpTransport({ baseUrl }).send(batch, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('shutting down')), 50)
    await expect(send).resolves.toMatchObject({ type: 'retryable' } satisfies Partial<SendResult>)
    expect(received).toHaveLength(1)
  })

  it('is rejected, without any request, for a batch JSON cannot encode', async () => {
    const { baseUrl, received } = await serve(acknowledgeAll)
    const poisoned = makeEvent('poisoned-event-0001')
    // Validation keeps cycles out of the queue; this one is built by hand to slip past it.
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    poisoned.parameters.privateMetadata = cycle as never
    const result = await createHttpTransport({ baseUrl }).send(
      { events: [makeEvent('fine-event-0001'), poisoned], sentAt: new Date() },
      {},
    )
    expect(result.type).toBe('rejected')
    expect(reasonOf(result)).toMatch(/^unencodable batch: .*circular/)
    // Give a stray request time to arrive before asserting that none did.
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(received).toHaveLength(0)
  })
})

describe('config', () => {
  const config = { enabled: true, maxBatchEvents: 500, maxBatchBytes: 65_536, exportMode: 'redact' }

  it('is read with a GET of the config path, with the bearer token when given', async () => {
    const { baseUrl, received } = await serve(answer(200, config))
    const transport = createHttpTransport({ baseUrl: `${baseUrl}/` })
    expect(await transport.config?.({ accessToken: 'sgp_secret_token' })).toEqual(config)
    expect(received[0]?.method).toBe('GET')
    expect(received[0]?.url).toBe(configPath)
    expect(received[0]?.headers.authorization).toBe('Bearer sgp_secret_token')
  })

  it.each([
    ['a 404 from an older backend', answer(404, { error: { code: 'not_found', message: 'x' } })],
    ['a body that is not a config', answer(200, { enabled: 'yes' })],
    ['a body that is not JSON', answer(200, '<html>login</html>')],
    ['a destroyed socket', (request: IncomingMessage) => request.socket.destroy()],
  ])('is undefined, never a throw, for %s', async (_, handler) => {
    const { baseUrl } = await serve(handler)
    await expect(createHttpTransport({ baseUrl }).config?.({})).resolves.toBeUndefined()
  })

  it('is undefined within the request timeout when the server never answers', async () => {
    const { baseUrl } = await serve(() => {})
    const started = performance.now()
    const transport = createHttpTransport({ baseUrl, requestTimeoutMs: 200 })
    await expect(transport.config?.({})).resolves.toBeUndefined()
    expect(performance.now() - started).toBeLessThan(1_500)
  })
})
