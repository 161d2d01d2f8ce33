import type { MiddlewareHandler } from 'hono'

/**
 * `X-Content-Type-Options: nosniff` on every answer, errors and 404s included, so that no
 * browser runs a JSON error or an event's echoed text as a script or a style sheet.
 */
export function noSniff(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    c.res.headers.set('x-content-type-options', 'nosniff')
  }
}
