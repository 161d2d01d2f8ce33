import { createHmac } from 'node:crypto'
import { bearerToken, sameSecret } from './secrets.js'

/** Who sent a request, as the backend knows it: never from the events themselves. */
export interface Identity {
  /** Stable name of the principal (`token:ci`, `session:alice`, `anonymous:…`), mapped to a numeric id. */
  subject: string
}

/** Decides who sent a request; undefined when it is not authenticated. */
export type Authenticate = (
  request: Request,
) => Identity | undefined | Promise<Identity | undefined>

/** Bearer tokens from the instance's config: `Authorization: Bearer <secret>` → `token:<name>`. */
export function bearerTokens(tokens: ReadonlyMap<string, string>): Authenticate {
  const entries = [...tokens]
  return request => {
    const secret = bearerToken(request.headers.get('authorization') ?? undefined)
    if (secret === undefined) return undefined
    // Every token is compared, in constant time, so timing says nothing about which one was close.
    let found: string | undefined
    for (const [name, expected] of entries) if (sameSecret(expected, secret)) found ??= name
    return found === undefined ? undefined : { subject: `token:${found}` }
  }
}

export const sessionCookieName = 'tally_session'

function sign(user: string, secret: string): string {
  return createHmac('sha256', secret).update(user).digest('base64url')
}

/** A session cookie value for `user`, signed with the instance's secret (the demo's sign-in). */
export function createSessionCookie(user: string, secret: string): string {
  return `${encodeURIComponent(user)}.${sign(user, secret)}`
}

/** The demo's session cookie: `tally_session=<user>.<hmac>` → `session:<user>`. */
export function sessionCookie(secret: string): Authenticate {
  return request => {
    const cookies = request.headers.get('cookie') ?? ''
    for (const part of cookies.split(';')) {
      const [name, value] = part.trim().split('=', 2)
      if (name !== sessionCookieName || !value) continue
      const dot = value.lastIndexOf('.')
      if (dot <= 0) return undefined
      let user: string
      try {
        user = decodeURIComponent(value.slice(0, dot))
      } catch {
        return undefined
      }
      return sameSecret(sign(user, secret), value.slice(dot + 1))
        ? { subject: `session:${user}` }
        : undefined
    }
    return undefined
  }
}

/** The first authenticator that recognises the request wins. */
export function anyOf(...authenticators: Authenticate[]): Authenticate {
  return async request => {
    for (const authenticate of authenticators) {
      const identity = await authenticate(request)
      if (identity) return identity
    }
    return undefined
  }
}

export const anonymousIdHeader = 'x-tally-anonymous-id'
const anonymousIdPattern = /^[A-Za-z0-9_-]{8,64}$/

/** An anonymous visitor's id from `X-Tally-Anonymous-Id`, for instances that allow them. */
export function anonymousVisitor(request: Request): Identity | undefined {
  const id = request.headers.get(anonymousIdHeader)
  return id !== null && anonymousIdPattern.test(id) ? { subject: `anonymous:${id}` } : undefined
}
