// A registered symbol, so that errors made in another realm (a webview, an extension host,
// another copy of this package) are still recognised: `instanceof` is not.
const brand = Symbol.for('tally-telemetry.error')

export type TallyErrorCode =
  'invalid-options' | 'invalid-event' | 'events-dropped' | 'delivery' | 'storage' | 'processor'

/** Base of every error Tally reports or throws. */
export class TallyError extends Error {
  override name = 'TallyError'
  readonly code: TallyErrorCode
  /** How many errors of this code were held back by rate limiting since the last one reported. */
  suppressed = 0

  constructor(code: TallyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    Object.defineProperty(this, brand, { value: true })
  }
}

/** Whether `value` is a Tally error, across realms and package copies. */
export function isTallyError(value: unknown): value is TallyError {
  return (
    value instanceof TallyError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true)
  )
}
