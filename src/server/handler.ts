import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  configPath,
  eventsPath,
  type ExportMode,
  type TelemetryConfig,
} from '../protocol/config.js'
import { acknowledgement, errorBody, type ErrorCode, type Rejection } from '../protocol/answers.js'
import { defaultScrubRules, type ScrubRule } from '../protocol/scrub-rules.js'
import { createScrubber } from '../protocol/scrub.js'
import { limits } from '../protocol/event.js'
import { validateEvent } from '../protocol/validate.js'
import { decodeBatch } from '../protocol/wire.js'
import { anonymousIdHeader, anonymousVisitor, type Authenticate } from './auth.js'
import { createAuthThrottle, throttleAuthentication, type AuthThrottle } from './auth-throttle.js'
import { acceptedEncodings, readEncodedBody } from './encoded-body.js'
import { prometheusContentType } from './prometheus.js'
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.js'
import { cookieWritesFromOrigins } from './origin-check.js'
import { createRateLimiter } from './rate-limit.js'
import { noSniff } from './security-headers.js'
import type { IngestedEvent, IngestStore } from './stores/server-event-store.js'

export interface TelemetryHandlerOptions {
  store: Pick<IngestStore, 'userId' | 'insert'>
  /** Who sent a request. The user is derived from this alone, never from the events. */
  authenticate: Authenticate
  /** Accept visitors without credentials, by their `X-Tally-Anonymous-Id`. @default false */
  allowAnonymous?: boolean
  /** Origins allowed to send from a browser (CORS, with credentials). @default none */
  corsOrigins?: readonly string[]
  /** Told to clients in the config. @default true */
  enabled?: boolean
  /** Told to clients in the config. @default 'redact' */
  exportMode?: ExportMode
  /** @default 1048576 (1 MiB) */
  maxBodyBytes?: number
  /** @default 1000 */
  maxBatchEvents?: number
  /** Events a user may send per minute before 429. @default 60000 */
  maxEventsPerMinute?: number
  /** Scrubbing rules applied after the defaults, to every event again on receipt. */
  scrubRules?: readonly ScrubRule[]
  /** Extra Prometheus text appended to `GET /metrics` (the export worker's). */
  metrics?: () => string | Promise<string>
  /**
   * Counts wrong bearer tokens per client address and makes guessing wait; share one with the
   * admin routes. @default one of its own, on `now`
   */
  authThrottle?: AuthThrottle
  now?: () => Date
}

function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  return c.json(errorBody(code, message), status)
}

const acceptedTypes = new Set(['application/json', 'text/plain'])

const bodyErrorCodes = {
  400: 'bad-request',
  413: 'too-large',
  415: 'unsupported-media-type',
} as const satisfies Record<number, ErrorCode>

/**
 * The instance backend's Web-standard handler (a Hono app): `GET /.api/telemetry/config`,
 * `POST /.api/telemetry/events` and `GET /metrics`. Mount its `fetch` in any server.
 */
export function createTelemetryHandler(options: TelemetryHandlerOptions): Hono & {
  ingestMetrics: IngestMetrics
} {
  const {
    store,
    enabled = true,
    exportMode = 'redact',
    maxBodyBytes = 1024 * 1024,
    maxBatchEvents = 1000,
    maxEventsPerMinute = 60_000,
    now = () => new Date(),
  } = options
  const scrub = createScrubber([...defaultScrubRules, ...(options.scrubRules ?? [])])
  const limiter = createRateLimiter(maxEventsPerMinute, () => now().getTime())
  const corsOrigins = new Set(options.corsOrigins ?? [])
  const metrics = createIngestMetrics()
  const authThrottle = options.authThrottle ?? createAuthThrottle({ now: () => now().getTime() })
  const app = new Hono()

  app.use('*', noSniff())

  // CORS for configured origins only; anyone else gets no CORS headers and the browser refuses.
  app.use('/.api/telemetry/*', async (c, next) => {
    const origin = c.req.header('origin')
    const allowed = origin !== undefined && corsOrigins.has(origin)
    if (c.req.method === 'OPTIONS') {
      if (!allowed) return c.body(null, 403)
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': `content-type, content-encoding, authorization, ${anonymousIdHeader}`,
        'access-control-max-age': '600',
        vary: 'origin',
      })
    }
    await next()
    if (allowed) {
      c.header('access-control-allow-origin', origin)
      c.header('access-control-allow-credentials', 'true')
      c.header('vary', 'origin')
    }
  })

  app.use(eventsPath, cookieWritesFromOrigins(options.corsOrigins ?? []))
  // Only a bearer token can be guessed: a session cookie is signed, and a forged one is a guess
  // at the instance's secret, which no number of tries comes near.
  app.use(
    eventsPath,
    throttleAuthentication({
      throttle: authThrottle,
      kind: 'event-token',
      presents: c => c.req.header('authorization') !== undefined,
    }),
  )

  const identify = async (request: Request) => {
    const identity = await options.authenticate(request)
    if (identity) return identity
    return options.allowAnonymous ? anonymousVisitor(request) : undefined
  }

  app.get(configPath, c => {
    const config: TelemetryConfig = {
      enabled,
      maxBatchEvents,
      maxBatchBytes: maxBodyBytes,
      exportMode,
    }
    return c.json(config)
  })

  app.post(eventsPath, async c => {
    const result = await ingest(c)
    metrics.request(result.status)
    return result
  })

  const ingest = async (c: Context) => {
    if (!enabled) return fail(c, 403, 'disabled', 'telemetry is turned off on this instance')
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (!acceptedTypes.has(type)) {
      return fail(c, 415, 'unsupported-media-type', 'send application/json or text/plain')
    }
    const identity = await identify(c.req.raw)
    if (!identity) return fail(c, 401, 'unauthenticated', 'no valid credentials')

    // maxBodyBytes bounds the batch as decoded too: a gzipped body expands no further.
    const body = await readEncodedBody(c.req.raw, maxBodyBytes)
    if (!body.ok) {
      if (body.status === 415) c.header('accept-encoding', acceptedEncodings)
      return fail(c, body.status, bodyErrorCodes[body.status], body.message)
    }
    const decoded = decodeBatch(body.text)
    if (!decoded.ok) return fail(c, 400, 'bad-request', decoded.reason)
    const { events, sentAt } = decoded.batch
    if (events.length > maxBatchEvents) {
      return fail(c, 413, 'too-large', `a batch holds at most ${maxBatchEvents} events`)
    }
    const waitMs = limiter.take(identity.subject, events.length)
    if (waitMs > 0) {
      c.header('retry-after', String(Math.ceil(waitMs / 1000)))
      return fail(c, 429, 'rate-limited', `more than ${maxEventsPerMinute} events a minute`)
    }

    const receivedAt = now()
    const skewMs = receivedAt.getTime() - sentAt.getTime()
    const accepted: string[] = []
    const rejected: Rejection[] = []
    const valid: IngestedEvent[] = []
    const seen = new Set<string>()
    for (const raw of events) {
      // Never trust the client: every event is checked and scrubbed again, and judged alone.
      const verdict = validateEvent(raw, { scrub })
      if (!verdict.valid) {
        rejected.push({
          id: raw.id.slice(0, 128),
          reason: verdict.problems.map(p => `${p.path || 'event'} ${p.reason}`).join('; '),
        })
        continue
      }
      const { event } = verdict
      accepted.push(event.id)
      // The same id twice in one batch is one event: the store keeps the first.
      if (seen.has(event.id)) continue
      seen.add(event.id)
      // A hostile or broken sentAt could push the correction past any date a store can hold:
      // then the client's own time is the best there is.
      const corrected = event.timestamp.getTime() + skewMs
      const plausible = corrected >= limits.minTimestampMs && corrected < limits.maxTimestampMs
      valid.push({
        event,
        // Set below: the user is looked up only for a batch with something to store.
        userId: 0,
        receivedAt,
        correctedTimestamp: plausible ? new Date(corrected) : event.timestamp,
      })
    }

    let inserted = 0
    if (valid.length > 0) {
      try {
        const userId = await store.userId(identity.subject)
        for (const entry of valid) entry.userId = userId
        inserted = await store.insert(valid)
      } catch {
        // Nothing is acknowledged, so the client keeps the batch and retries it.
        c.header('retry-after', '5')
        return fail(c, 503, 'unavailable', 'the event store is unavailable; retry later')
      }
    }
    metrics.events(inserted, accepted.length - inserted, rejected.length)
    return c.json(acknowledgement(accepted, rejected))
  }

  app.get('/metrics', async c => {
    const extra = options.metrics ? await options.metrics() : ''
    return c.text(metrics.render() + extra, 200, { 'content-type': prometheusContentType })
  })

  // Whatever slipped through is the server's fault, not the input's: say so without detail.
  app.onError((_error, c) => fail(c, 500, 'unavailable', 'internal error'))

  return Object.assign(app, { ingestMetrics: metrics })
}
