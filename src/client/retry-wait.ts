// How long something that failed waits before it is tried again unprompted: a chunk whose
// fetch failed (lazy-chunk.ts) and a write that failed (queue.ts).

/** The first wait. */
export const firstRetryMs = 1_000

/** The wait after one of `ms`: twice as long, up to 5 min. */
export const nextRetryMs = (ms: number): number => Math.min(ms * 2, 5 * 60_000)
