import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { throttleAuthentication, type AuthThrottle, type CredentialKind } from '../auth-throttle.js'
import { adminSessionTtlMs, type AdminCredentials } from './admin-session.js'
import type { Html } from './html.js'

export interface SignInRoutesOptions {
  credentials: AdminCredentials
  /** The session cookie's name: distinct per server, since cookies do not tell ports apart. */
  cookieName: string
  /** Where the signed-in pages live: the cookie's `Path`, and where signing in or out leads. */
  home: string
  /** Counts wrong secrets from the form per address, with the bearer uses of the same secret. */
  throttle: AuthThrottle
  kind: CredentialKind
  now: () => Date
  /** The sign-in form, saying why the last attempt failed. */
  page: (error?: string) => Html
  /** What the form says to a wrong secret. */
  wrongSecret: string
  /** What the form says while the address must wait. */
  tooManyFailures: (seconds: number) => string
}

/** Where the forms post, relative to the app they are mounted on. */
export interface SignInPaths {
  signIn: string
  signOut: string
}

/** A sign-in form holds one secret; nothing larger is read. */
const maxSignInBytes = 4096

/**
 * The sign-in and sign-out forms of a page signed in with one secret (the instance's admin
 * token, a gateway's admin key), mounted on `app`: `POST signIn` (form field `token`) sets the
 * signed session cookie, `POST signOut` revokes it. Returns whether a request is signed in, by
 * the secret as a bearer token or by the session cookie.
 */
export function mountSignIn(
  app: Hono,
  paths: SignInPaths,
  options: SignInRoutesOptions,
): (c: Context) => boolean {
  const { credentials, cookieName, home, now, page } = options
  const cookie = (c: Context) => ({
    path: home,
    httpOnly: true,
    sameSite: 'Strict' as const,
    secure: isHttps(c),
  })

  app.post(
    paths.signIn,
    bodyLimit({
      maxSize: maxSignInBytes,
      onError: c => c.html(page('The form was too large.').toString(), 413),
    }),
    // While this address waits, no secret it sends is checked, the right one included, so that
    // guessing cannot go on at full speed; other addresses sign in as usual.
    throttleAuthentication({
      throttle: options.throttle,
      kind: options.kind,
      refuse: (c, seconds) => c.html(page(options.tooManyFailures(seconds)).toString(), 429),
    }),
    async c => {
      if (crossSite(c)) return c.text('Cross-site form refused', 403)
      const body = await c.req.parseBody()
      const token = body['token']
      if (typeof token !== 'string' || !credentials.isToken(token)) {
        return c.html(page(options.wrongSecret).toString(), 401)
      }
      setCookie(c, cookieName, credentials.issueSession(now()), {
        ...cookie(c),
        maxAge: Math.floor(adminSessionTtlMs / 1000),
      })
      return c.redirect(home, 303)
    },
  )

  app.post(paths.signOut, c => {
    if (crossSite(c)) return c.text('Cross-site form refused', 403)
    // The cookie is signed, not stored: deleting it in this browser would leave a copy taken
    // elsewhere working until it expires, so the server forgets the session too.
    credentials.revokeSession(getCookie(c, cookieName), now())
    deleteCookie(c, cookieName, cookie(c))
    return c.redirect(home, 303)
  })

  return c =>
    credentials.isBearer(c.req.header('authorization')) ||
    credentials.isSession(getCookie(c, cookieName), now())
}

/**
 * A form posted from another site: refused, so that no other page can sign an admin in or out.
 * Browsers say so in `Sec-Fetch-Site`, older ones in `Origin`; a client that sends neither is
 * not a browser, and a page elsewhere cannot make it post.
 */
function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = c.req.header('origin')
  if (origin === undefined) return false
  try {
    return new URL(origin).host !== new URL(c.req.url).host
  } catch {
    // `Origin: null` (a sandboxed frame, a privacy-sensitive redirect) names no site at all.
    return true
  }
}

/** HTTPS to this server, or to the proxy in front of it (a header only ever adds `Secure`). */
function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  return new URL(c.req.url).protocol === 'https:' || forwarded === 'https'
}
