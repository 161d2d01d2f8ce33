import { isStoreError, StoreError, type StoreOperation } from '../errors/store-error.js'

/**
 * SQLITE_BUSY and SQLITE_LOCKED (and their extended codes) mean another connection holds the
 * lock past the busy timeout: the same write can succeed later. Read from the error's `code`
 * rather than `instanceof SqliteError`, so that this file does not load the driver.
 */
const retryableCode = /^SQLITE_(BUSY|LOCKED)(_|$)/

/**
 * The `StoreError` for a failed SQLite call on `path`, the driver's error as its cause; a
 * `StoreError` already (a refused schema version) passes through as it is.
 */
export function sqliteFailure(operation: StoreOperation, path: string, cause: unknown): StoreError {
  if (isStoreError(cause)) return cause
  const code = (cause as { code?: unknown } | null)?.code
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new StoreError(`SQLite ${operation} failed on ${path}: ${reason}`, {
    kind: 'sqlite',
    operation,
    retryable: typeof code === 'string' && retryableCode.test(code),
    cause,
  })
}
