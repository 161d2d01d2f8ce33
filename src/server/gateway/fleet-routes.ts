import type { Context, Hono, MiddlewareHandler, Next } from 'hono'
import { errorBody } from '../../protocol/answers.js'
import { instancePattern } from '../../protocol/ping.js'
import { adminHeaders, layout } from '../admin/admin-layout.js'
import { html } from '../admin/html.js'
import { signInPage } from '../admin/sign-in-page.js'
import { mountSignIn } from '../admin/sign-in-routes.js'
import { createUsageRoutes } from '../admin/usage-routes.js'
import { throttleAuthentication, type AuthThrottle } from '../auth-throttle.js'
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { dayOf, formatDay } from '../insights/days.js'
import { parseAt, type ParameterSource } from '../insights/parameters.js'
import type { InsightsStore } from '../stores/insights-store.js'
import { fleet } from './fleet.js'
import { readFleetPage } from './fleet-data.js'
import { fleetPage } from './fleet-page.js'
import { instanceHref } from './fleet-sections.js'
import {
  createGatewayAdminCredentials,
  fleetCookieName,
  fleetSignInText,
} from './gateway-admin-session.js'
import type { GatewayPingStore } from './gateway-ping-store.js'

/**
 * What the fleet routes read from a gateway store: its pings, and each instance's insights
 * (the gateway store's `insights` and `instances`).
 */
export type FleetSource = Pick<
  GatewayPingStore,
  'latestPings' | 'activeUsersByDay' | 'pingActiveUsers'
> & {
  /** The insights over the events `instance` exported; undefined when the store keeps none. */
  insights(instance: string): Promise<InsightsStore | undefined>
  /** Every instance the store holds events or pings of. */
  instances(): Promise<string[]>
}

export interface FleetRoutesOptions {
  store: FleetSource
  /** The gateway's admin key, at least 16 characters: a bearer token, or the sign-in form's. */
  adminKey: string
  /**
   * The gateway's throttle: the admin key counts as one credential with the instance keys
   * (kind `instance-key`), so that guessing one or the other shares one wait.
   */
  authThrottle: AuthThrottle
  /** @default () => new Date() */
  now?: () => Date
}

/** Path of the fleet's JSON answer. */
export const gatewayFleetPath = '/v1/fleet'

/**
 * Mounts the vendor's view on a gateway's app, behind its admin key (bearer) or the fleet
 * session (the sign-in form at `/`):
 *
 * - `GET /v1/fleet?at=YYYY-MM-DD` (default today, UTC) → `FleetAnswer` (fleet.ts); a bad `at` is a
 *   400 naming it, no credentials a 401 (an instance's key is not the admin key).
 * - `GET /?window=7|30|90`: the fleet page (see fleet-page.ts), or the sign-in form.
 * - `POST /sign-in` (form field `token`), `POST /sign-out`: the `tally_fleet` session cookie.
 * - `GET /instances/<id>`, `/instances/<id>/users/<n>`: the instance's usage pages over the
 *   events it exported, drawn by the instance admin's usage pages.
 *
 * The pages have the admin's strict CSP and headers. Throws InvalidSettingError for a short key.
 */
export function mountFleet(app: Hono, options: FleetRoutesOptions): void {
  const { store, authThrottle } = options
  const now = options.now ?? (() => new Date())
  const credentials = createGatewayAdminCredentials(options.adminKey)
  const page = (error?: string) => signInPage({ basePath: '', error, text: fleetSignInText })
  const tooManyFailures = (seconds: number) =>
    `Too many wrong keys from your address: try again in ${seconds} s.`

  const pageHeaders: MiddlewareHandler = async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(adminHeaders)) c.res.headers.set(name, value)
  }
  const pagePaths = ['/', '/sign-in', '/sign-out', '/instances/*']
  for (const path of pagePaths) app.use(path, pageHeaders)
  for (const path of ['/', '/instances/*']) {
    app.use(
      path,
      throttleAuthentication({
        throttle: authThrottle,
        kind: 'instance-key',
        presents: c => c.req.header('authorization') !== undefined,
        failed: c => !credentials.isBearer(c.req.header('authorization')),
        refuse: (c, seconds) => c.html(page(tooManyFailures(seconds)).toString(), 429),
      }),
    )
  }
  // `GET /v1/fleet` is throttled by the gateway's `/v1/*` guard (gateway.ts): every 401 counts,
  // a wrong guess or an instance's key tried on the fleet.

  const signedIn = mountSignIn(
    app,
    { signIn: '/sign-in', signOut: '/sign-out' },
    {
      credentials,
      cookieName: fleetCookieName,
      home: '/',
      throttle: authThrottle,
      kind: 'instance-key',
      now,
      page,
      wrongSecret: 'That is not this gateway’s admin key.',
      tooManyFailures,
    },
  )

  app.get(gatewayFleetPath, async c => {
    c.header('cache-control', 'no-store')
    if (!signedIn(c)) {
      c.header('www-authenticate', 'Bearer realm="tally-gateway"')
      return c.json(errorBody('unauthorized', 'the gateway admin key is required'), 401)
    }
    let at: number
    try {
      at = parseAt(querySource(c), dayOf(now())).at
    } catch (error) {
      if (error instanceof InvalidParameterError) {
        return c.json(errorBody('invalid-query', error.message), 400)
      }
      throw error
    }
    return c.json(await fleet(store, formatDay(at)))
  })

  app.get('/', async c => {
    if (!signedIn(c)) return c.html(page().toString())
    try {
      return c.html(fleetPage(await readFleetPage(store, querySource(c), now())).toString())
    } catch (error) {
      if (!(error instanceof InvalidParameterError)) throw error
      return c.html(notice(`${error.message}.`).toString(), 400)
    }
  })

  app.use('/instances/*', async (c: Context, next: Next) => {
    if (!signedIn(c)) return c.html(page().toString(), 401)
    const instance = instanceOf(c)
    if (instance === undefined || !(await store.instances()).includes(instance)) {
      return c.html(notice('No such instance at this gateway.').toString(), 404)
    }
    return next()
  })
  app.route(
    '/instances/:instance',
    createUsageRoutes({
      scope: async c => {
        const instance = instanceOf(c) as string
        return {
          insights: await store.insights(instance),
          place: {
            path: instanceHref(instance),
            home: { href: '/', label: 'Fleet' },
            title: `${instance} · Tally fleet`,
          },
        }
      },
      now,
    }),
  )
}

/** The instance id in `/instances/<id>/…`, when it is one. */
function instanceOf(c: Context): string | undefined {
  const segment = /^\/instances\/([^/]+)/.exec(c.req.path)?.[1]
  if (segment === undefined) return undefined
  let instance: string
  try {
    instance = decodeURIComponent(segment)
  } catch {
    return undefined
  }
  return instancePattern.test(instance) ? instance : undefined
}

function notice(message: string) {
  return layout(
    'Tally fleet',
    html`<main>
      <p class="notice error" data-testid="fleet-error">
        ${message} <a href="/">Back to the fleet</a>.
      </p>
    </main>`,
  )
}

const querySource = (c: Context): ParameterSource => ({
  get: name => c.req.query(name),
  all: name => c.req.queries(name) ?? [],
})
