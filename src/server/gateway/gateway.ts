import { Hono } from 'hono'
import { createAuthThrottle, throttleAuthentication, type AuthThrottle } from '../auth-throttle.js'
import { noSniff } from '../security-headers.js'
import { fail } from './gateway-answers.js'
import type { InstanceKeys } from './gateway-auth.js'
import { addEventsRoutes, gatewayEventsPath } from './gateway-events-routes.js'
import { addInsightsRoutes } from './gateway-insights-routes.js'
import { addPingsRoutes } from './gateway-pings-routes.js'
import type { GatewayStore } from './gateway-store.js'
import { mountFleet, type FleetSource } from './fleet-routes.js'

export { gatewayEventsPath }
export type { InstanceKeys }

export interface GatewayOptions {
  store: GatewayStore
  /**
   * Instance id → instance key: an instance authenticates with `x-tally-instance` and its key as
   * a bearer token. Read on every request (a Map, or a keys file that may change).
   */
  instanceKeys: InstanceKeys
  /**
   * A key that may read the events, pings and insights of every instance, and opens the fleet
   * (`GET /v1/fleet`, the page at `/`). Without one there is no fleet. @default none
   */
  adminKey?: string
  /** Where the fleet reads pings and instances' insights. @default store */
  fleet?: FleetSource
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

/**
 * The reference upstream, a Hono app: instances send their events (`POST /v1/events`) and
 * daily pings (`POST /v1/pings`); an instance's key or the admin key reads them back
 * (`GET /v1/events`, `GET /v1/pings`) and asks the usage questions over the instance's events
 * (`GET /v1/insights/<question>`); with an admin key, the fleet view (fleet-routes.ts). Every
 * route checking a key is throttled. Errors are
 * `{ error: { code, message } }`.
 */
export function createGateway(options: GatewayOptions): Hono {
  const now = options.now ?? (() => new Date())
  const authThrottle = options.authThrottle ?? createAuthThrottle({ now: () => now().getTime() })
  const shared = {
    store: options.store,
    instanceKeys: options.instanceKeys,
    adminKey: options.adminKey,
    now,
  }

  const app = new Hono()
  app.use('*', noSniff())
  // One credential kind for instance keys and the admin key: a guesser gains nothing by
  // switching between them.
  app.use('/v1/*', throttleAuthentication({ throttle: authThrottle, kind: 'instance-key' }))

  addEventsRoutes(app, {
    ...shared,
    maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
    maxBatchEvents: options.maxBatchEvents ?? 10_000,
    maxEventBytes: options.maxEventBytes ?? 64 * 1024,
    defaultListLimit: options.defaultListLimit ?? 100,
    maxListLimit: options.maxListLimit ?? 10_000,
  })
  addPingsRoutes(app, shared)
  addInsightsRoutes(app, shared)
  if (options.adminKey !== undefined) {
    mountFleet(app, {
      store: options.fleet ?? options.store,
      adminKey: options.adminKey,
      authThrottle,
      now,
    })
  }

  app.notFound(c => fail(c, 404, 'not-found', `no route for ${c.req.method} ${c.req.path}`))
  app.onError((error, c) => {
    options.onInternalError?.(error)
    return fail(c, 500, 'internal', 'the gateway failed to handle the request')
  })
  return app
}
