import type { Context, MiddlewareHandler } from 'hono'
import { clientAddress } from './client-address.js'
import { errorBody } from '../protocol/answers.js'

/** The secrets a client can guess, each throttled apart from the others. */
export type CredentialKind = 'event-token' | 'admin-token' | 'instance-key'

export interface AuthThrottleOptions {
  /** Failures an address may make before each further one makes it wait. @default 5 */
  maxFreeFailures?: number
  /** The first wait; each further failure doubles it. @default 1000 */
  baseDelayMs?: number
  /** The longest wait. @default 900000 (15 minutes) */
  maxDelayMs?: number
  /** An address's failures are forgotten after this long without one (and its wait over). @default 3600000 */
  forgetAfterMs?: number
  /** (address, kind) pairs remembered at most; past it the least recently failing are forgotten. @default 10000 */
  maxEntries?: number
  /** @default Date.now */
  now?: () => number
}

/**
 * Failed authentication, counted per client address and credential kind: past a few free
 * failures each one makes that address wait twice as long before its next attempt is even
 * checked. One address's failures never slow another down.
 *
 * A success does not wipe the count: whoever holds one valid secret (an event token, an
 * instance key) could otherwise interleave it with guesses at another and never slow down.
 * Failures are forgotten after a quiet spell instead.
 */
export interface AuthThrottle {
  /** Milliseconds before `address` may present a credential of `kind` again; 0 when it may now. */
  waitMs(address: string, kind: CredentialKind): number
  /** Counts a failed attempt, which may start a wait. */
  fail(address: string, kind: CredentialKind): void
}

interface Entry {
  failures: number
  lastFailureMs: number
  blockedUntilMs: number
}

export function createAuthThrottle(options: AuthThrottleOptions = {}): AuthThrottle {
  const maxFreeFailures = options.maxFreeFailures ?? 5
  const baseDelayMs = options.baseDelayMs ?? 1000
  const maxDelayMs = options.maxDelayMs ?? 15 * 60_000
  const forgetAfterMs = options.forgetAfterMs ?? 60 * 60_000
  const maxEntries = options.maxEntries ?? 10_000
  const now = options.now ?? (() => Date.now())
  // A Map iterates in insertion order: re-inserting on every failure makes the first key the
  // least recently failing, which is the one to forget when an attacker rotating addresses fills it.
  const entries = new Map<string, Entry>()

  const current = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key)
    if (entry && at >= entry.blockedUntilMs && at - entry.lastFailureMs >= forgetAfterMs) {
      entries.delete(key)
      return undefined
    }
    return entry
  }

  return {
    waitMs(address, kind) {
      const at = now()
      const entry = current(`${kind} ${address}`, at)
      return entry ? Math.max(0, entry.blockedUntilMs - at) : 0
    },
    fail(address, kind) {
      const at = now()
      const key = `${kind} ${address}`
      const entry = current(key, at) ?? { failures: 0, lastFailureMs: at, blockedUntilMs: 0 }
      entry.failures += 1
      entry.lastFailureMs = at
      const excess = entry.failures - maxFreeFailures
      if (excess > 0) {
        // The exponent is capped well before 2^n stops being a finite number.
        entry.blockedUntilMs =
          at + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(excess - 1, 40))
      }
      entries.delete(key)
      entries.set(key, entry)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
  }
}

export interface ThrottleAuthenticationOptions {
  throttle: AuthThrottle
  kind: CredentialKind
  /** Whether a request presents a credential of this kind; others pass untouched. @default every request */
  presents?: (c: Context) => boolean
  /** Whether the credential failed, asked once the route has answered. @default a 401 answer */
  failed?: (c: Context) => boolean
  /** The answer while throttled. @default a 429 JSON error `rate-limited` */
  refuse?: (c: Context, retryAfterSeconds: number) => Response
}

/**
 * A middleware that answers 429 with `Retry-After`, without looking at the credential, while
 * the client's address must wait, and counts each failure of the routes behind it.
 */
export function throttleAuthentication(options: ThrottleAuthenticationOptions): MiddlewareHandler {
  const { throttle, kind } = options
  const presents = options.presents ?? (() => true)
  const failed = options.failed ?? (c => c.res.status === 401)
  const refuse =
    options.refuse ??
    ((c: Context, seconds: number) =>
      c.json(
        errorBody(
          'rate-limited',
          `too many failed attempts to authenticate: retry in ${seconds} s`,
        ),
        429,
      ))
  return async (c, next) => {
    if (!presents(c)) return next()
    const address = clientAddress(c)
    const waitMs = throttle.waitMs(address, kind)
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000)
      c.header('retry-after', String(seconds))
      return refuse(c, seconds)
    }
    await next()
    if (failed(c)) throttle.fail(address, kind)
  }
}
