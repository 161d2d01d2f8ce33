// A registered symbol, so that errors from another copy of this package (an embedding that
// bundles its own) are still recognised: `instanceof` is not.
const brand = Symbol.for('tally-telemetry.server-error')

export type TallyServerErrorCode =
  'invalid-setting' | 'invalid-parameter' | 'missing-driver' | 'store' | 'upstream'

/** Base of every error the instance backend and its commands throw. */
export class TallyServerError extends Error {
  override name = 'TallyServerError'
  readonly code: TallyServerErrorCode

  constructor(code: TallyServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    Object.defineProperty(this, brand, { value: true })
  }
}

/** Whether `value` is a Tally server error, across package copies. */
export function isTallyServerError(value: unknown): value is TallyServerError {
  return (
    value instanceof TallyServerError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true)
  )
}
