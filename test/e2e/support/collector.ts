import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
// Test infrastructure, not the artifact under test: the collector judges bodies with the
// same decoder the backend uses, so a malformed batch fails here as it would there.
import { decodeBatch } from '../../../src/protocol/wire.js'
import { bundleGlobal } from './bundle.js'

/** The server's bounds (docs/protocol.md): a body over either is answered 413. */
const maxBodyBytes = 1024 * 1024
const maxBatchEvents = 1_000

/** What the collector answers to every POST until told otherwise. */
export interface ScriptedFailure {
  status: number
  /** Sent as the `Retry-After` header, verbatim (seconds or an HTTP date). */
  retryAfter?: string
}

/** One `POST /.api/telemetry/events` as the collector saw it. */
export interface CollectorRequest {
  /** `performance.now()` when the request arrived (headers read). */
  at: number
  /** `performance.now()` when the answer was written. */
  answeredAt: number
  /** The media type, without parameters: `application/json` or `text/plain`. */
  contentType: string
  bytes: number
  /** Every event id in the body, in order; empty when the body was not a batch. */
  ids: string[]
  status: number
  /** Answered 200 with these ids in `accepted`: the collector stored them. */
  acknowledged: boolean
}

export interface Collector {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The test page, creating `window.telemetry` with these options merged into the defaults. */
  pageUrl(options?: Record<string, unknown>): string
  /** Answers every POST with this failure from now on; `null` goes back to 200. */
  failWith(failure: ScriptedFailure | null): void
  /** What `GET /.api/telemetry/config` reports as `enabled`. */
  setEnabled(enabled: boolean): void
  /** Holds every POST answer this long, so that concurrent senders overlap visibly. */
  setResponseDelay(delayMs: number): void
  readonly requests: readonly CollectorRequest[]
  /** Every id of every POST, duplicates and failed requests included, in arrival order. */
  readonly receivedIds: readonly string[]
  /** Each id acknowledged, once, in the order first acknowledged. */
  readonly storedIds: readonly string[]
  /** The most POSTs that were ever being answered at the same time. */
  readonly maxConcurrentRequests: number
  /** Resolves once `count` distinct ids are stored; rejects with what arrived after `timeoutMs`. */
  waitForStored(count: number, timeoutMs: number): Promise<void>
  /** Resolves once `count` POSTs were answered; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs: number): Promise<void>
  close(): Promise<void>
}

export interface CollectorOptions {
  /** The IIFE served as `/tally.js`. */
  bundleFile: string
}

/**
 * A stand-in for the instance backend (which comes in issue 4): a real HTTP server on a free
 * loopback port that stores each acknowledged id once and records every request, so that
 * tests assert on what arrived on the wire.
 */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const bundle = await readFile(options.bundleFile)
  const requests: CollectorRequest[] = []
  const receivedIds: string[] = []
  const stored = new Set<string>()
  const waiters = new Set<() => void>()
  let failure: ScriptedFailure | null = null
  let enabled = true
  let responseDelayMs = 0
  let concurrent = 0
  let maxConcurrentRequests = 0

  const notify = () => {
    for (const waiter of waiters) waiter()
  }

  const receiveEvents = async (request: IncomingMessage, response: ServerResponse) => {
    const at = performance.now()
    concurrent++
    maxConcurrentRequests = Math.max(maxConcurrentRequests, concurrent)
    try {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''
      const body = await readBody(request, maxBodyBytes)
      if (responseDelayMs > 0) await sleep(responseDelayMs)
      const record = (status: number, ids: string[]) => {
        requests.push({
          at,
          answeredAt: performance.now(),
          contentType,
          bytes: body === undefined ? -1 : body.length,
          ids,
          status,
          acknowledged: status === 200,
        })
        receivedIds.push(...ids)
        notify()
      }

      if (contentType !== 'application/json' && contentType !== 'text/plain') {
        sendError(response, 415, 'unsupported-media-type', `${contentType} is not a batch`)
        return record(415, [])
      }
      if (body === undefined) {
        sendError(response, 413, 'too-large', `the body exceeds ${maxBodyBytes} bytes`)
        return record(413, [])
      }
      const decoded = decodeBatch(body.toString('utf8'))
      if (!decoded.ok) {
        sendError(response, 400, 'invalid-batch', decoded.reason)
        return record(400, [])
      }
      const ids = decoded.batch.events.map(event => event.id)
      if (ids.length > maxBatchEvents) {
        sendError(response, 413, 'too-large', `a batch holds at most ${maxBatchEvents} events`)
        return record(413, ids)
      }
      if (failure) {
        const headers: Record<string, string> =
          failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter }
        sendError(response, failure.status, 'scripted', 'scripted failure', headers)
        return record(failure.status, ids)
      }
      for (const id of ids) stored.add(id)
      sendJson(response, 200, { accepted: ids, rejected: [] })
      return record(200, ids)
    } finally {
      concurrent--
    }
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const route = `${request.method ?? ''} ${url.pathname}`
    switch (route) {
      case 'GET /':
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        response.end(pageHtml)
        return
      case 'GET /tally.js':
        response.writeHead(200, {
          'content-type': 'text/javascript; charset=utf-8',
          'cache-control': 'no-store',
        })
        response.end(bundle)
        return
      case 'GET /.api/telemetry/config':
        sendJson(response, 200, {
          enabled,
          maxBatchEvents: 100,
          maxBatchBytes: 262_144,
          exportMode: 'redact',
        })
        return
      case 'POST /.api/telemetry/events':
        receiveEvents(request, response).catch((error: unknown) => {
          if (!response.headersSent) sendError(response, 500, 'collector', String(error))
        })
        return
      default:
        sendError(response, 404, 'not-found', route)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  const waitFor = (done: () => boolean, timeoutMs: number, describe: () => string) =>
    new Promise<void>((resolve, reject) => {
      if (done()) {
        resolve()
        return
      }
      const check = () => {
        if (!done()) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`${describe()} after ${timeoutMs} ms; ${summarize(requests)}`))
      }, timeoutMs)
      waiters.add(check)
    })

  return {
    url,
    pageUrl(pageOptions = {}) {
      return `${url}/?options=${encodeURIComponent(JSON.stringify(pageOptions))}`
    },
    failWith(next) {
      failure = next
    },
    setEnabled(next) {
      enabled = next
    },
    setResponseDelay(delayMs) {
      responseDelayMs = delayMs
    },
    get requests() {
      return requests
    },
    get receivedIds() {
      return receivedIds
    },
    get storedIds() {
      return [...stored]
    },
    get maxConcurrentRequests() {
      return maxConcurrentRequests
    },
    waitForStored(count, timeoutMs) {
      return waitFor(
        () => stored.size >= count,
        timeoutMs,
        () => `${stored.size} of ${count} ids stored`,
      )
    },
    waitForRequests(count, timeoutMs) {
      return waitFor(
        () => requests.length >= count,
        timeoutMs,
        () => `${requests.length} of ${count} requests answered`,
      )
    },
    close() {
      waiters.clear()
      // Keepalive sends from closed pages may still hold sockets open.
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => {
        server.close(error => {
          if (error) reject(error)
          else resolve()
        })
      })
    },
  }
}

/** One line per request, for failure messages and annotations. */
export function summarize(requests: readonly CollectorRequest[]): string {
  if (requests.length === 0) return 'no POST arrived'
  const start = requests[0]?.at ?? 0
  return `${requests.length} POSTs: ${requests
    .map(
      r =>
        `[+${Math.round(r.at - start)} ms ${r.contentType} ${r.ids.length} ids ${r.bytes} B → ${r.status}]`,
    )
    .join(' ')}`
}

/** Undefined when the body is over `limit` bytes (the rest is drained, not kept). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= limit) chunks.push(chunk)
  }
  return size > limit ? undefined : Buffer.concat(chunks)
}

function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(value))
}

function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(response, status, { error: { code, message } }, headers)
}

/**
 * The app under test: loads the bundle and creates `window.telemetry` with the options from
 * the query string. A `capture` processor records each id minted, so that tests compare what
 * was recorded with what arrived; `window.unhandled` keeps unhandled rejections, which
 * Playwright's `pageerror` may not report.
 */
const pageHtml = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>tally e2e</title></head>
<body>
<script src="/tally.js"></script>
<script>
window.recorded = [];
window.unhandled = [];
window.tallyErrors = [];
window.addEventListener('unhandledrejection', event => {
  window.unhandled.push(String(event.reason && event.reason.stack || event.reason));
});
window.telemetry = ${bundleGlobal}.createTelemetry({
  client: { name: 'e2e', version: '1.0.0' },
  errorIntervalMs: 0,
  onError: error => { window.tallyErrors.push(error.name + ': ' + error.message) },
  processors: [{ name: 'capture', process(event) { window.recorded.push(event.id) } }],
  ...JSON.parse(new URLSearchParams(location.search).get('options') || '{}'),
});
// Processors run in the batched step at the end of the task, so the ids are read after it.
window.recordMany = async count => {
  const from = window.recorded.length;
  for (let index = 0; index < count; index++) {
    window.telemetry.recordEvent('e2e', 'recorded', { version: 1, metadata: { index } });
  }
  await new Promise(resolve => setTimeout(resolve, 0));
  return window.recorded.slice(from);
};
</script>
</body>
</html>
`
