/** Longest wait a `Retry-After` can impose, so that a wrong header cannot stall a client for days. */
export const maxRetryAfterMs = 60 * 60_000

export interface BackoffPolicy {
  initialRetryDelayMs: number
  maxRetryDelayMs: number
}

/**
 * The delay before retry number `attempt` (1 for the first retry): "full jitter" from AWS's
 * backoff study, a uniform draw below an exponentially growing ceiling, so that many clients
 * failing at once spread their retries instead of storming back together. A `Retry-After`
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
