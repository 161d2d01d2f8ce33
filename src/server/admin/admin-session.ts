import { createHmac } from 'node:crypto'
import { bearerToken, sameSecret } from '../secrets.js'

export const adminCookieName = 'tally_admin'

/** How long an admin session lasts from sign-in. */
export const adminSessionTtlMs = 12 * 60 * 60_000

/**
 * Signed-out sessions remembered at most until they would have expired. Only a valid session
 * can be revoked, so filling this takes that many sign-ins; past it the oldest revocation goes.
 */
const maxRevokedSessions = 10_000

/** Separates these signatures from any other use of the token as a key. */
export const adminSessionPurpose = 'tally-admin-session.v1'

/**
 * The admin's credentials: the token itself (a bearer token or the sign-in form), or a session
 * cookie `<expiresAtMs>.<hmac>` signed with the token. Rotating the token ends every session.
 *
 * Sessions are not stored, so that every replica of an instance knows them; signing out
 * revokes one in this process's memory, for as long as it would have lasted. A restart forgets
 * revocations, which rotating the token (or waiting out the 12 hours) makes moot.
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
  /** Ends a valid session before its time: `isSession` refuses it from then on. */
  revokeSession(value: string | undefined, now: Date): void
}

/**
 * `purpose` keeps one server's sessions from opening another's, should an operator give both
 * the same secret (a gateway's fleet page signs with its own).
 */
export function createAdminCredentials(
  token: string,
  purpose: string = adminSessionPurpose,
): AdminCredentials {
  const sign = (expiresAtMs: string) =>
    createHmac('sha256', token).update(`${purpose}:${expiresAtMs}`).digest('base64url')

  const isToken = (candidate: string) => sameSecret(token, candidate)
  /** Signature → when its session would have expired. */
  const revoked = new Map<string, number>()

  const verified = (value: string | undefined, now: Date) => {
    const match = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '')
    if (!match?.[1] || !match[2]) return undefined
    const [, expiresAtMs, signature] = match
    const valid = sameSecret(sign(expiresAtMs), signature) && Number(expiresAtMs) > now.getTime()
    return valid ? { signature, expiresAtMs: Number(expiresAtMs) } : undefined
  }

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
      const session = verified(value, now)
      return session !== undefined && !revoked.has(session.signature)
    },
    revokeSession(value, now) {
      const session = verified(value, now)
      if (!session) return
      for (const [signature, expiresAtMs] of revoked) {
        if (expiresAtMs <= now.getTime()) revoked.delete(signature)
      }
      revoked.set(session.signature, session.expiresAtMs)
      if (revoked.size > maxRevokedSessions) revoked.delete(revoked.keys().next().value as string)
    },
  }
}
