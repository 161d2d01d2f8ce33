import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { acknowledgement, errorBody, type ErrorCode } from '../../protocol/answers.js'
import { decodeBatch } from '../../protocol/wire.js'
import { checkExportedEvent } from './check-exported-event.js'
import type { GatewayStore } from './gateway-store.js'
import { bearerToken, sameSecret } from '../secrets.js'
import { createAuthThrottle, throttleAuthentication, type AuthThrottle } from '../auth-throttle.js'
import { noSniff } from '../security-headers.js'

export interface GatewayOptions {
  store: GatewayStore
  /** Instance id → instance key: an instance authenticates with `x-tally-instance` and its key as a bearer token. */
  instanceKeys: ReadonlyMap<string, string>
  /** A key that may list the events of every instance. @default none */
  adminKey?: string
  /** @default 8 MiB */
  maxBodyBytes?: number
  /** @default 10_000 */
  maxBatchEvents?: number
  /** Events larger than this, encoded, are refused (and acknowledged as refused). @default 64 KiB */
  maxEventBytes?: number
  /** @default 100 */
  defaultListLimit?: number
  /** @default 10_000 */
  maxListLimit?: number
  /**
   * Counts wrong instance and admin keys per client address and makes guessing wait, so that
   * one instance cannot guess its way into another's events. @default one of its own, on `now`
   */
  authThrottle?: AuthThrottle
  /** @default () => new Date() */
  now?: () => Date
  /** Told of failures that answer 500 (a store error); the client only sees a generic message. */
  onInternalError?: (error: unknown) => void
}

/** Path of the gateway's one resource. */
export const gatewayEventsPath = '/v1/events'

/**
 * The reference upstream: a Hono app with `POST /v1/events` (instances send batches; every
 * event is judged alone and acknowledged, stored or refused) and `GET /v1/events?instance=…`
 * (what an instance sent, newest last). Errors are `{ error: { code, message } }`.
 */
export function createGateway(options: GatewayOptions): Hono {
  const { store, instanceKeys } = options
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024
  const maxBatchEvents = options.maxBatchEvents ?? 10_000
  const maxEventBytes = options.maxEventBytes ?? 64 * 1024
  const defaultListLimit = options.defaultListLimit ?? 100
  const maxListLimit = options.maxListLimit ?? 10_000
  const now = options.now ?? (() => new Date())

  const authThrottle = options.authThrottle ?? createAuthThrottle({ now: () => now().getTime() })

  const app = new Hono()
  app.use('*', noSniff())
  app.use(
    gatewayEventsPath,
    throttleAuthentication({ throttle: authThrottle, kind: 'instance-key' }),
  )

  app.post(
    gatewayEventsPath,
    async (c, next) => {
      const instance = c.req.header('x-tally-instance')
      const key = bearerToken(c.req.header('authorization'))
      if (instance === undefined || !sameSecret(instanceKeys.get(instance), key)) {
        c.header('www-authenticate', 'Bearer')
        return fail(c, 401, 'unauthorized', 'an instance id and its key are required')
      }
      const type = c.req.header('content-type') ?? ''
      if (!/^application\/json\s*(?:;|$)/i.test(type)) {
        return fail(c, 415, 'unsupported-media-type', 'the body must be application/json')
      }
      await next()
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: c => fail(c, 413, 'payload-too-large', `the body exceeds ${maxBodyBytes} bytes`),
    }),
    async c => {
      const instance = c.req.header('x-tally-instance') as string
      const decoded = decodeBatch(await c.req.text())
      if (!decoded.ok) return fail(c, 400, 'invalid-body', decoded.reason)
      const { events } = decoded.batch
      if (events.length > maxBatchEvents) {
        return fail(
          c,
          413,
          'too-many-events',
          `${events.length} events in one batch; the limit is ${maxBatchEvents}`,
        )
      }

      // Each id is judged once per batch; a valid copy wins over an invalid one of the same id.
      const accepted = new Map<string, string>()
      const rejected = new Map<string, string>()
      for (const raw of events) {
        if (accepted.has(raw.id)) continue
        const check = checkExportedEvent(raw, maxEventBytes)
        if (check.ok) {
          accepted.set(raw.id, JSON.stringify(check.event))
          rejected.delete(raw.id)
        } else if (!rejected.has(raw.id)) {
          rejected.set(raw.id, check.reason)
        }
      }
      await store.insert(
        instance,
        [...accepted].map(([id, payload]) => ({ id, payload })),
        now(),
      )
      return c.json(
        acknowledgement(
          [...accepted.keys()],
          [...rejected].map(([id, reason]) => ({ id, reason })),
        ),
      )
    },
  )

  app.get(gatewayEventsPath, async c => {
    const instance = c.req.query('instance')
    if (instance === undefined || instance.length === 0) {
      return fail(c, 400, 'invalid-query', 'the query parameter instance is required')
    }
    const key = bearerToken(c.req.header('authorization'))
    if (!sameSecret(instanceKeys.get(instance), key) && !sameSecret(options.adminKey, key)) {
      c.header('www-authenticate', 'Bearer')
      return fail(
        c,
        401,
        'unauthorized',
        `the key of instance ${instance} or the admin key is required`,
      )
    }
    const limitText = c.req.query('limit')
    const limit = limitText === undefined ? defaultListLimit : Number(limitText)
    if (!/^\d+$/.test(limitText ?? '0') || limit < 1 || limit > maxListLimit) {
      return fail(c, 400, 'invalid-query', `limit must be a whole number from 1 to ${maxListLimit}`)
    }
    const [records, total] = await Promise.all([store.list(instance, limit), store.count(instance)])
    return c.json({
      instance,
      total,
      events: records.map(record => ({
        id: record.id,
        receivedAt: record.receivedAt.toISOString(),
        event: JSON.parse(record.payload) as unknown,
      })),
    })
  })

  app.notFound(c => fail(c, 404, 'not-found', `no route for ${c.req.method} ${c.req.path}`))
  app.onError((error, c) => {
    options.onInternalError?.(error)
    return fail(c, 500, 'internal', 'the gateway failed to handle the request')
  })
  return app
}

function fail(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
): Response {
  return c.json(errorBody(code, message), status)
}
