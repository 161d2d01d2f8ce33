/** Buckets kept at most; past it the fullest (idle) ones are forgotten first. */
const maxBuckets = 100_000

/**
 * Events per minute per user, as token buckets refilled continuously: a burst up to the
 * minute's allowance passes, a steady flood past it is told when to come back.
 */
export function createRateLimiter(eventsPerMinute: number, now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const perMs = eventsPerMinute / 60_000
  return {
    /** Takes `events` tokens; resolves with 0 when allowed, else the ms to wait. */
    take(subject: string, events: number): number {
      const at = now()
      const bucket = buckets.get(subject) ?? { tokens: eventsPerMinute, at }
      bucket.tokens = Math.min(eventsPerMinute, bucket.tokens + (at - bucket.at) * perMs)
      bucket.at = at
      buckets.delete(subject)
      buckets.set(subject, bucket)
      if (buckets.size > maxBuckets) buckets.delete(buckets.keys().next().value as string)
      // A batch larger than the whole allowance passes on a full bucket and leaves it in debt.
      if (events <= bucket.tokens || bucket.tokens >= eventsPerMinute) {
        bucket.tokens -= events
        return 0
      }
      return Math.ceil((Math.min(events, eventsPerMinute) - bucket.tokens) / perMs)
    },
  }
}
