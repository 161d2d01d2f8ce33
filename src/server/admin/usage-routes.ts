import { Hono, type Context } from 'hono'
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { querySource } from '../insights/answer-question.js'
import type { InsightsStore } from '../stores/insights-store.js'
import { layout } from './admin-layout.js'
import { html } from './html.js'
import { readUsage, readUserUsage } from './usage-data.js'
import { usagePage, usageUnavailablePage } from './usage-page.js'
import type { UsagePlace } from './usage-links.js'
import { userUsagePage } from './usage-user-page.js'

/** The insights a request's pages show, and where those pages live. */
export interface UsageScope {
  /** Without them the pages say that there are none. */
  insights: InsightsStore | undefined
  /** For the pages' links: `adminUsagePlace('/admin')` on an instance. */
  place: UsagePlace
}

export interface UsageRoutesOptions {
  /**
   * Read per request: one store's at an instance's admin, the instance named in the path at a
   * gateway's fleet page.
   */
  scope: (c: Context) => UsageScope | Promise<UsageScope>
  /** "Now": today for the windows, and the time the page says it was computed. */
  now: () => Date
  /** A banner for every page, read per request (demo data: "Not real usage."). */
  notice?: (() => string | undefined) | undefined
}

/**
 * The usage pages, to mount behind the admin's authentication at `place.path` (the instance's
 * `/admin/usage`, a gateway's `/instances/<id>`):
 *
 * - `GET <path>?window=7|30|90&minDays=&feature=&action=&user=&where=&from=&to=&group=`:
 *   the figures of the window ending today, and the events explorer.
 * - `GET <path>/users/:id?window=`: one user's activity by feature.
 * - `GET <path>/user?id=&window=`: the header's form, redirected to the user's page.
 *
 * A parameter that is not one answers 400 with the page's notice, as the API answers 400.
 */
export function createUsageRoutes(options: UsageRoutesOptions): Hono {
  const { now } = options
  const app = new Hono()

  const refused = (c: Context, place: UsagePlace, message: string) =>
    c.html(
      layout(
        `Usage · ${place.title}`,
        html`<main>
          <p class="notice error" data-testid="usage-error">
            ${message}. <a href="${place.path}">Back to the usage page</a>.
          </p>
        </main>`,
      ).toString(),
      400,
    )

  app.get('/', async c => {
    const { insights, place } = await options.scope(c)
    if (insights === undefined) return c.html(usageUnavailablePage(place).toString())
    try {
      const data = await readUsage(insights, querySource(c), now())
      return c.html(
        usagePage(data, place, options.notice?.()).toString(),
        data.explorer.ok ? 200 : 400,
      )
    } catch (error) {
      if (error instanceof InvalidParameterError) return refused(c, place, error.message)
      throw error
    }
  })

  app.get('/user', async c => {
    const { place } = await options.scope(c)
    const id = userIdOf(c.req.query('id'))
    if (id === undefined) return refused(c, place, 'A user id is a whole number from 1')
    const windowQuery = encodeURIComponent(c.req.query('window') ?? '')
    return c.redirect(
      `${place.path}/users/${id}${windowQuery === '' ? '' : `?window=${windowQuery}`}`,
    )
  })

  app.get('/users/:id', async c => {
    const { insights, place } = await options.scope(c)
    if (insights === undefined) return c.html(usageUnavailablePage(place).toString())
    const id = userIdOf(c.req.param('id'))
    if (id === undefined) return refused(c, place, 'A user id is a whole number from 1')
    try {
      const data = await readUserUsage(insights, querySource(c), id, now())
      return c.html(userUsagePage(data, place, options.notice?.()).toString())
    } catch (error) {
      if (error instanceof InvalidParameterError) return refused(c, place, error.message)
      throw error
    }
  })

  return app
}

/** A user id as the events question takes it (`user`): 1 … 999 999 999. */
function userIdOf(text: string | undefined): number | undefined {
  return text !== undefined && /^[1-9]\d{0,8}$/.test(text.trim()) ? Number(text.trim()) : undefined
}
