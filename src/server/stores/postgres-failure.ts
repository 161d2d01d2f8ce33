import { isStoreError, StoreError, type StoreOperation } from '../errors/store-error.js'

/**
 * SQLSTATEs worth a retry: connection exceptions (class 08), serialization failures and
 * deadlocks (40001, 40P01), too many connections (53300) and a server shutting down or
 * starting (57P01–57P03). https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const retryableStates = /^(08...|40001|40P01|53300|57P0[123])$/
/** What Node answers for a database that cannot be reached, or a connection cut short. */
const retryableSocketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])
/** pg's own errors carry no code: a pool that found no connection in time, a dropped one. */
const retryableMessages = /timeout exceeded when trying to connect|Connection terminated/i

function isRetryable(cause: unknown): boolean {
  const { code, message } = (cause ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string') return retryableStates.test(code) || retryableSocketCodes.has(code)
  return typeof message === 'string' && retryableMessages.test(message)
}

/**
 * The `StoreError` for a failed PostgreSQL call, the driver's error as its cause; a
 * `StoreError` already (a refused schema version) passes through as it is. The message never
 * names the connection string, which may hold a password.
 */
export function postgresFailure(operation: StoreOperation, cause: unknown): StoreError {
  if (isStoreError(cause)) return cause
  // A refused connection to `localhost` is an AggregateError (one per address) with no message.
  const reason =
    (cause instanceof Error && cause.message) ||
    String((cause as { code?: unknown } | null)?.code ?? cause)
  return new StoreError(`PostgreSQL ${operation} failed: ${reason}`, {
    kind: 'postgres',
    operation,
    retryable: isRetryable(cause),
    cause,
  })
}
