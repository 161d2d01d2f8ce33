// Retry timing shared by the client's sender and the backend's export worker.
/** Longest wait a `Retry-After` can impose, so that a wrong header cannot stall a client for days. */
export const maxRetryAfterMs = 60 * 60_000

export interface BackoffPolicy {
  initialRetryDelayMs: number
  maxRetryDelayMs: number
}

/**
 * The delay before retry number `attempt` (1 for the first retry): "full jitter" from AWS's
 * backoff study, a uniform draw below an exponentially growing ceiling, so that many clients (or
 * instances exporting) failing at once spread their retries instead of storming back together. A `Retry-After`
 * from the backend is a floor: the client never comes back sooner than asked.
 */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxRetryDelayMs,
    policy.initialRetryDelayMs * 2 ** Math.max(0, attempt - 1),
  )
  const jittered = Math.floor(random() * ceiling)
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return jittered
  return Math.max(Math.min(retryAfterMs, maxRetryAfterMs), jittered)
}

// Date.parse is far more lenient than HTTP-date: it reads "-1", "1.5" or "12 3" as days in
// 2001. The three HTTP-date forms (IMF-fixdate, RFC 850, asctime) all open with a day name
// and carry an hh:mm:ss time, so anything else is not tried as a date.
const httpDatePattern = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? .*\b\d\d:\d\d:\d\d\b/

/**
 * Parses `Retry-After` in both of its forms, delay-seconds and HTTP-date, into ms from now.
 * Anything unparsable counts as absent.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  if (!httpDatePattern.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
