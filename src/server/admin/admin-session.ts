import { createHmac } from 'node:crypto'
import { bearerToken, sameSecret } from '../secrets.js'

export const adminCookieName = 'tally_admin'

/** How long an admin session lasts from sign-in. */
export const adminSessionTtlMs = 12 * 60 * 60_000

/** Separates these signatures from any other use of the token as a key. */
const purpose = 'tally-admin-session.v1'

/**
 * The admin's credentials: the token itself (a bearer token or the sign-in form), or a session
 * cookie `<expiresAtMs>.<hmac>` signed with the token. Rotating the token ends every session.
 */
export interface AdminCredentials {
  /** Constant-time: the time taken says nothing about how much of the token was right. */
  isToken(candidate: string): boolean
  /** The token from an `Authorization: Bearer …` header, checked. */
  isBearer(header: string | undefined): boolean
  /** A cookie value for a session that starts at `now`. */
  issueSession(now: Date): string
  /** True for a cookie value this token signed whose session has not run out at `now`. */
  isSession(value: string | undefined, now: Date): boolean
}

export function createAdminCredentials(token: string): AdminCredentials {
  const sign = (expiresAtMs: string) =>
    createHmac('sha256', token).update(`${purpose}:${expiresAtMs}`).digest('base64url')

  const isToken = (candidate: string) => sameSecret(token, candidate)

  return {
    isToken,
    isBearer(header) {
      const candidate = bearerToken(header)
      return candidate !== undefined && isToken(candidate)
    },
    issueSession(now) {
      const expiresAtMs = String(now.getTime() + adminSessionTtlMs)
      return `${expiresAtMs}.${sign(expiresAtMs)}`
    },
    isSession(value, now) {
      const match = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '')
      if (!match?.[1] || !match[2]) return false
      const [, expiresAtMs, signature] = match
      const valid = sameSecret(sign(expiresAtMs), signature)
      return valid && Number(expiresAtMs) > now.getTime()
    },
  }
}
