import type { Context, MiddlewareHandler } from 'hono'
import { errorBody } from '../protocol/answers.js'

/**
 * Whether a browser sent this request from this server's own origin or one of `corsOrigins`.
 *
 * `Origin` decides when present (`null`, from a sandboxed frame or a redirect, names no origin
 * and is refused). Without it, `Sec-Fetch-Site` decides: `same-origin` and `none` (typed in the
 * address bar) pass, `same-site` and `cross-site` do not, since a configured origin would have
 * sent `Origin`. With neither, the client is not a browser, which no other page can drive, so
 * it passes. Same origin is judged on the host and port alone: behind a proxy that ends TLS,
 * the server sees `http:` where the browser saw `https:`.
 */
export function fromAllowedOrigin(c: Context, corsOrigins: ReadonlySet<string>): boolean {
  const origin = c.req.header('origin')
  if (origin === undefined) {
    const site = c.req.header('sec-fetch-site')
    return site === undefined || site === 'same-origin' || site === 'none'
  }
  if (corsOrigins.has(origin)) return true
  try {
    return new URL(origin).host === new URL(c.req.url).host
  } catch {
    return false
  }
}

/**
 * Refuses, with a 403 JSON error `forbidden-origin`, a write that a session cookie would
 * authenticate and that comes from another origin. A `text/plain` POST needs no preflight, so
 * CORS alone never stops it reaching the server with the cookie. A request with an
 * `Authorization` header is left alone: a page elsewhere cannot add one without a preflight,
 * and the preflight is refused.
 */
export function cookieWritesFromOrigins(corsOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(corsOrigins)
  return async (c, next) => {
    const cookieAuthenticated =
      c.req.header('cookie') !== undefined && c.req.header('authorization') === undefined
    if (c.req.method !== 'POST' || !cookieAuthenticated || fromAllowedOrigin(c, allowed)) {
      return next()
    }
    return c.json(
      errorBody(
        'forbidden-origin',
        'a request with a session cookie must come from this origin or a CORS origin',
      ),
      403,
    )
  }
}
