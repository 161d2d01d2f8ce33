import { Hono, type Context, type Next } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorBody, type ErrorCode } from '../../protocol/answers.js'
import type { ExportMode } from '../../protocol/config.js'
import type { ExportWorker } from '../export/export-worker.js'
import type { PingWorker } from '../pings/ping-worker.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { createAuthThrottle, throttleAuthentication, type AuthThrottle } from '../auth-throttle.js'
import type { ExportQueueStore, ServerEventStore } from '../stores/server-event-store.js'
import { adminHeaders, layout } from './admin-layout.js'
import { adminCookieName, createAdminCredentials } from './admin-session.js'
import { dashboardPage, type Retention } from './dashboard-page.js'
import type { PingsView } from './pings-section.js'
import { html } from './html.js'
import { createInsightsRoutes } from './insights-routes.js'
import { signInPage } from './sign-in-page.js'
import { mountSignIn } from './sign-in-routes.js'
import { adminUsagePlace } from './usage-links.js'
import { createUsageRoutes } from './usage-routes.js'

export interface AdminRoutesOptions {
  /**
   * The admin's secret, at least 16 characters: sent as `Authorization: Bearer <token>`, or
   * typed into the sign-in form for a session cookie signed with it. Changing it ends every
   * session.
   */
  adminToken: string
  /** The instance's export mode, shown on the page. */
  exportMode: ExportMode
  /** The export worker, when one runs; without it the page says that nothing is exported. */
  worker?: ExportWorker | undefined
  /** The daily ping worker, when one runs: the page shows its pending and latest pings. */
  pings?: PingWorker | undefined
  /** The queue's figures, and the insights when the store keeps them. */
  store: Pick<ExportQueueStore, 'stats'> & Pick<ServerEventStore, 'insights'>
  /**
   * Events of the next exports that one page of the preview shows (the page and the API page
   * alike), so that no backlog makes a view slow. @default 25
   */
  previewLimit?: number
  /** Where the routes are mounted: the forms' targets and the cookie's `Path`. @default '/admin' */
  basePath?: string
  /**
   * Counts wrong admin tokens (bearer or form) per client address and makes guessing wait; one
   * address's failures never lock another out. @default one of its own, on `now`
   */
  authThrottle?: AuthThrottle
  /** @default () => new Date() */
  now?: () => Date
  /**
   * A line shown as a banner atop the signed-in pages, read at each request: `tally serve
   * --demo` says there that the usage shown is generated demo data.
   */
  notice?: (() => string | undefined) | undefined
  /** What retention keeps, shown on the page; without it the page says nothing of retention. */
  retention?: Retention | undefined
}

/**
 * The most events one page of the preview holds. Events are bounded (privateMetadata at 16 KiB
 * encoded), so a page is too: a backlog of any size is read a page at a time.
 */
export const maxPreviewLimit = 100

/**
 * The admin pages, as a Hono app to mount at `basePath` (`app.route('/admin', …)`):
 *
 * - `GET /admin`: the sign-in form, or once signed in the export mode, backlog, last export and
 *   the next export exactly as it would leave, each event beside what redaction removed.
 * - `POST /admin/sign-in` (form field `token`), `POST /admin/sign-out`: the session cookie.
 * - `GET /admin?page=N`: the preview's N-th page (from 1), `previewLimit` events a page.
 * - `GET /admin/api/status` → `{ mode, metrics, stats }`; `GET /admin/api/preview?page=&limit=`
 *   → `{ mode, page, limit, backlog, items }`, the same items as `tally export --preview`.
 * - `GET /admin/api/insights/…`: the usage insights, when the store keeps them (see
 *   insights-routes.ts).
 * - `GET /admin/usage`, `/admin/usage/users/:id`: the same insights drawn as a page (see
 *   usage-routes.ts), or a notice when the store keeps none.
 *
 * Anything else without credentials gets the sign-in page, or a 401 JSON error under `api/`.
 * Throws an Error at once for options that cannot work.
 */
export function createAdminRoutes(options: AdminRoutesOptions): Hono {
  const { exportMode: mode, worker, store, now = () => new Date() } = options
  const adminToken = checkToken(options.adminToken)
  const previewLimit = checkPreviewLimit(options.previewLimit ?? 25)
  const basePath = checkBasePath(options.basePath ?? '/admin')
  const credentials = createAdminCredentials(adminToken)
  const authThrottle = options.authThrottle ?? createAuthThrottle({ now: () => now().getTime() })

  const isApi = (c: Context) => c.req.path.startsWith(`${basePath}/api/`)

  const app = new Hono()

  app.use('*', async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(adminHeaders)) c.res.headers.set(name, value)
  })

  const tooManyFailures = (seconds: number) =>
    `Too many wrong admin tokens from your address: try again in ${seconds} s.`
  app.use(
    '*',
    throttleAuthentication({
      throttle: authThrottle,
      kind: 'admin-token',
      presents: c => c.req.header('authorization') !== undefined,
      failed: c => !credentials.isBearer(c.req.header('authorization')),
      refuse: (c, seconds) =>
        isApi(c)
          ? fail(c, 429, 'rate-limited', tooManyFailures(seconds))
          : c.html(signInPage({ basePath, error: tooManyFailures(seconds) }).toString(), 429),
    }),
  )

  app.onError((error, c) => {
    const message = error instanceof Error ? error.message : String(error)
    if (isApi(c)) return fail(c, 503, 'unavailable', message)
    return c.html(
      layout(
        'Unavailable · Tally admin',
        html`<main><p class="notice">The admin page could not be built: ${message}</p></main>`,
      ).toString(),
      503,
    )
  })

  const signedIn = mountSignIn(
    app,
    { signIn: '/sign-in', signOut: '/sign-out' },
    {
      credentials,
      cookieName: adminCookieName,
      home: basePath,
      throttle: authThrottle,
      kind: 'admin-token',
      now,
      page: error => signInPage({ basePath, error }),
      wrongSecret: "That is not this instance's admin token.",
      tooManyFailures,
    },
  )

  app.get('/', async c => {
    if (!signedIn(c)) return c.html(signInPage({ basePath }).toString())
    const page = pageNumber(c.req.query('page'))
    if (page === undefined) return c.redirect(basePath)
    const [metrics, stats, preview, pings] = await Promise.all([
      worker?.refreshMetrics(),
      store.stats(),
      worker ? worker.preview(previewLimit, (page - 1) * previewLimit) : [],
      pingsView(options.pings),
    ])
    return c.html(
      dashboardPage({
        basePath,
        mode,
        metrics,
        stats,
        preview,
        previewPage: page,
        previewLimit,
        now: now(),
        notice: options.notice?.(),
        retention: options.retention,
        pings,
      }).toString(),
    )
  })

  app.use('/api/*', async (c: Context, next: Next) => {
    if (signedIn(c)) return next()
    c.header('www-authenticate', 'Bearer realm="tally-admin"')
    return fail(c, 401, 'unauthenticated', 'send the admin token as a bearer token, or sign in')
  })

  app.use('*', async (c: Context, next: Next) => {
    if (signedIn(c)) return next()
    return c.html(signInPage({ basePath }).toString(), 401)
  })

  app.get('/api/status', async c => {
    const [metrics, stats] = await Promise.all([worker?.refreshMetrics(), store.stats()])
    return c.json({ mode, metrics: metrics ?? null, stats })
  })

  app.get('/api/preview', async c => {
    const raw = c.req.query('limit')
    const limit = raw === undefined ? previewLimit : Number(raw)
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxPreviewLimit) {
      return fail(
        c,
        400,
        'bad-request',
        `limit must be a whole number from 1 to ${maxPreviewLimit}`,
      )
    }
    const page = pageNumber(c.req.query('page'))
    if (page === undefined) {
      return fail(c, 400, 'bad-request', `page must be a whole number from 1 to ${maxPage}`)
    }
    const [items, stats] = await Promise.all([
      worker ? worker.preview(limit, (page - 1) * limit) : [],
      store.stats(),
    ])
    return c.json({ mode, page, limit, backlog: stats.backlog, items })
  })

  app.route(
    '/usage',
    createUsageRoutes({
      scope: () => ({ insights: store.insights, place: adminUsagePlace(basePath) }),
      now,
      notice: options.notice,
    }),
  )

  if (store.insights !== undefined) {
    app.route('/api/insights', createInsightsRoutes({ insights: store.insights, now }))
  }

  app.all('/api/*', c => fail(c, 404, 'not-found', 'no such admin API'))

  app.all('*', c => {
    if (c.req.method === 'GET' && c.req.path === `${basePath}/`) return c.redirect(basePath)
    return c.html(
      layout(
        'Not found · Tally admin',
        html`<main>
          <p class="notice">
            No such admin page. <a href="${basePath}">Back to the admin page</a>.
          </p>
        </main>`,
      ).toString(),
      404,
    )
  })

  return app
}

function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  return c.json(errorBody(code, message), status)
}

function checkToken(token: string): string {
  if (typeof token !== 'string' || token.length < 16 || /\s/.test(token)) {
    throw new InvalidSettingError(
      'adminToken',
      'Invalid admin option adminToken: it must be at least 16 characters, without spaces (it guards private values)',
    )
  }
  return token
}

// Far past any backlog retention keeps; a bound so that an offset never overflows.
const maxPage = 1_000_000

/** `?page=N` from 1, absent meaning 1; undefined for anything else. */
function pageNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return 1
  if (!/^[1-9][0-9]{0,6}$/.test(raw)) return undefined
  const page = Number(raw)
  return page <= maxPage ? page : undefined
}

function checkPreviewLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxPreviewLimit) {
    throw new InvalidSettingError(
      'previewLimit',
      `Invalid admin option previewLimit: ${limit} must be a whole number from 1 to ${maxPreviewLimit}`,
    )
  }
  return limit
}

function checkBasePath(path: string): string {
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    throw new InvalidSettingError(
      'basePath',
      `Invalid admin option basePath: ${JSON.stringify(path)} must look like /admin (no trailing slash)`,
    )
  }
  return path
}

/** The latest days of the ping log the page lists. */
const pingLogShown = 7

async function pingsView(pings: PingWorker | undefined): Promise<PingsView | undefined> {
  if (pings === undefined) return undefined
  const [pending, recent] = await Promise.all([pings.pending(), pings.recent(pingLogShown)])
  return { pending, recent, metrics: pings.metrics() }
}
