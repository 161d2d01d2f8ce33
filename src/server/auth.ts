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
