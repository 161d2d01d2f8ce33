import type { StoreKind } from '../stores/roles/store-lifecycle.js'
import { isTallyServerError, TallyServerError } from './tally-server-error.js'

/** The store calls whose failures are wrapped: those a caller reports or answers. */
export type StoreOperation = 'open' | 'migrate' | 'userId' | 'insert'

export interface StoreErrorOptions {
  kind: StoreKind
  operation: StoreOperation
  /**
   * Whether the same call may succeed if tried again later: a database busy with another
   * writer, a lost or refused connection. A broken or foreign database file is not.
   * @default false
   */
  retryable?: boolean
  /** The driver's error, kept whole. */
  cause?: unknown
}

/**
 * A store that failed: it could not open, migrate or write. The driver's own error is the
 * `cause`; the handler answers 503 for any store failure, so that clients retry the batch.
 */
export class StoreError extends TallyServerError {
  override name = 'StoreError'
  readonly kind: StoreKind
  readonly operation: StoreOperation
  readonly retryable: boolean

  constructor(message: string, options: StoreErrorOptions) {
    super('store', message, 'cause' in options ? { cause: options.cause } : undefined)
    this.kind = options.kind
    this.operation = options.operation
    this.retryable = options.retryable ?? false
  }
}

/** Whether `value` is a store error, across package copies. */
export function isStoreError(value: unknown): value is StoreError {
  return isTallyServerError(value) && value.code === 'store'
}
