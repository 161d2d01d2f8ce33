import type { TallyError, TallyErrorCode } from './errors/tally-error.js'

export type ErrorReporter = (error: TallyError) => void

/**
 * Wraps the user's `onError` so that a failing app cannot be flooded: the first error of
 * each code is reported at once, then at most one a `intervalMs`, carrying the count of
 * those held back in between (after OpenTelemetry's "first drop, then the count"). A
 * throwing handler is ignored: reporting must never hurt the host app.
 */
export function createErrorReporter(
  onError: ((error: TallyError) => void) | undefined,
  intervalMs: number,
  now: () => number,
): ErrorReporter {
  if (!onError) return () => {}
  const lastReported = new Map<TallyErrorCode, number>()
  const heldBack = new Map<TallyErrorCode, number>()
  return error => {
    const at = now()
    const last = lastReported.get(error.code)
    if (last !== undefined && at - last < intervalMs) {
      heldBack.set(error.code, (heldBack.get(error.code) ?? 0) + 1)
      return
    }
    lastReported.set(error.code, at)
    error.suppressed = heldBack.get(error.code) ?? 0
    heldBack.delete(error.code)
    try {
      onError(error)
    } catch {
      // The host's handler failed; there is nowhere safe left to report that.
    }
  }
}
