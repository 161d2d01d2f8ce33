import { createHmac, randomBytes } from 'node:crypto'
import type { Authenticate } from './auth.js'
import { TallyServerError } from './errors/tally-server-error.js'
import { sameSecret } from './secrets.js'

export const demoSessionCookieName = 'tally_session'

/** Separates these signatures from any other use of the secret as a key. */
const purpose = 'tally-demo-session.v1'

// `<user>.<id>.<expiresAtMs>.<hmac>`: the user percent-encoded (dots too, so that the parts
// split unambiguously), 16 random bytes of id, and a SHA-256 HMAC, both base64url.
const cookieValue = /^([^.]+)\.([A-Za-z0-9_-]{22})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/

export interface DemoSessionOptions {
  /** How long a sign-in lasts; also the cookie's `Max-Age`. @default 43200000 (12 h) */
  maxAgeMs?: number
  now?: () => Date
}

/**
 * The demo's sign-in sessions. Not authentication: whoever signs in names the user. Each
 * sign-in is a new session (a random id and an expiry, signed with the secret), so that a
 * cookie seen once is not the user's for ever; the subject stays `session:<user>`, so that one
 * user's events keep one numeric user id across sessions.
 */
export interface DemoSessions {
  readonly cookieName: string
  readonly maxAgeMs: number
  /** A cookie value for a new session of `user`, from now until `maxAgeMs` later. */
  create(user: string): string
  /** `session:<user>` for a request whose session cookie this secret signed and has not run out. */
  authenticate: Authenticate
}

export function demoSessions(secret: string, options: DemoSessionOptions = {}): DemoSessions {
  const maxAgeMs = options.maxAgeMs ?? 12 * 60 * 60_000
  const now = options.now ?? (() => new Date())
  if (secret.length === 0)
    throw new TallyServerError('invalid-setting', 'The demo session secret must not be empty.')
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1000)
    throw new TallyServerError(
      'invalid-setting',
      `The demo session's maxAgeMs must be a whole number of at least 1000, not ${maxAgeMs}.`,
    )

  const sign = (payload: string) =>
    createHmac('sha256', secret).update(`${purpose}:${payload}`).digest('base64url')

  const userOf = (value: string): string | undefined => {
    const match = cookieValue.exec(value)
    if (!match?.[1] || !match[2] || !match[3] || !match[4]) return undefined
    const [, encodedUser, id, expiresAtMs, signature] = match
    if (!sameSecret(sign(`${encodedUser}.${id}.${expiresAtMs}`), signature)) return undefined
    if (Number(expiresAtMs) <= now().getTime()) return undefined
    try {
      return decodeURIComponent(encodedUser)
    } catch {
      return undefined
    }
  }

  return {
    cookieName: demoSessionCookieName,
    maxAgeMs,
    create(user) {
      if (user.length === 0)
        throw new TallyServerError('invalid-setting', 'A demo session needs a user name.')
      const encodedUser = encodeURIComponent(user).replaceAll('.', '%2E')
      const id = randomBytes(16).toString('base64url')
      const expiresAtMs = String(now().getTime() + maxAgeMs)
      const payload = `${encodedUser}.${id}.${expiresAtMs}`
      return `${payload}.${sign(payload)}`
    },
    authenticate(request) {
      const cookies = request.headers.get('cookie') ?? ''
      for (const part of cookies.split(';')) {
        const [name, value] = part.trim().split('=', 2)
        // The first cookie of the name decides: a later one cannot override it.
        if (name !== demoSessionCookieName || !value) continue
        const user = userOf(value)
        return user === undefined ? undefined : { subject: `session:${user}` }
      }
      return undefined
    },
  }
}
