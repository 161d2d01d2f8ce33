/**
 * The answers on the wire, the same between a client and the instance backend and between the
 * export worker and a gateway: a 2xx acknowledges each event of a batch
 * (`{ accepted: id[], rejected: { id, reason }[] }`), any other status explains itself with
 * `{ error: { code, message } }`. Built and read here only. See docs/protocol.md.
 */

/** An event the receiver refused on its own merits; it will never be accepted. */
export interface Rejection {
  id: string
  reason: string
}

/** The body of a 2xx to a batch: every event named here leaves the sender's queue. */
export interface Acknowledgement {
  accepted: string[]
  rejected: Rejection[]
}

/** Every code a Tally server (backend, admin, demo, gateway) puts in an error body. */
export type ErrorCode =
  | 'bad-request'
  | 'disabled'
  | 'internal'
  | 'invalid-body'
  | 'invalid-query'
  | 'not-found'
  | 'payload-too-large'
  | 'rate-limited'
  | 'too-large'
  | 'too-many-events'
  | 'unauthenticated'
  | 'unauthorized'
  | 'unavailable'
  | 'unsupported-media-type'

/** The body of every non-2xx JSON answer. A peer's code may be one Tally does not know. */
export interface ErrorBody<Code extends string = ErrorCode> {
  error: { code: Code; message: string }
}

/** A reading of an untrusted body: the value, or why there is none. Never a throw. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

/**
 * Ids an acknowledgement may name, accepted and rejected together: far above any batch limit,
 * and low enough that a hostile answer cannot make the reader walk millions of entries.
 */
export const maxAnswerIds = 100_000
/** Longer ids were never sent (event ids are at most 128 characters): an answer naming one is broken. */
export const maxAnswerIdLength = 256
/** Reasons and messages are cut to this length: they end up in logs and stores. */
export const maxReasonLength = 500
const maxMessageLength = 200
const maxCodeLength = 64

export function acknowledgement(accepted: string[], rejected: Rejection[]): Acknowledgement {
  return { accepted, rejected }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } }
}

function readObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const isId = (id: unknown): id is string =>
  typeof id === 'string' && id.length > 0 && id.length <= maxAnswerIdLength

/**
 * Reads an acknowledgement from a peer that may be broken or hostile. `accepted` must be an
 * array of ids, all of them sound: a 2xx whose body cannot say what was stored is not trusted
 * with any of it, so the sender keeps the batch. A `rejected` that is missing or not an array
 * means nothing was refused; its entries without an id are skipped, and a missing reason reads
 * as `rejected`.
 */
export function parseAcknowledgement(text: string): Parsed<Acknowledgement> {
  const body = readObject(text)
  if (!body) return { ok: false, reason: 'the body is not a JSON object' }
  const { accepted } = body
  const rejected = Array.isArray(body.rejected) ? (body.rejected as unknown[]) : []
  if (!Array.isArray(accepted)) return { ok: false, reason: 'accepted is not an array' }
  if (accepted.length + rejected.length > maxAnswerIds) {
    return { ok: false, reason: `the answer names more than ${maxAnswerIds} ids` }
  }
  if (!accepted.every(isId)) return { ok: false, reason: 'accepted holds something not an id' }
  const refusals: Rejection[] = []
  for (const entry of rejected) {
    const { id, reason } = (entry ?? {}) as { id?: unknown; reason?: unknown }
    if (isId(id)) {
      refusals.push({
        id,
        reason: typeof reason === 'string' ? reason.slice(0, maxReasonLength) : 'rejected',
      })
    }
  }
  return { ok: true, value: { accepted, rejected: refusals } }
}

/** Reads `{ error: { code, message } }`, the message cut to 200 characters; never throws. */
export function parseErrorBody(text: string): Parsed<ErrorBody<string>> {
  const error = readObject(text)?.error as { code?: unknown; message?: unknown } | undefined
  const { code, message } = error ?? {}
  return typeof code === 'string' && typeof message === 'string'
    ? {
        ok: true,
        value: {
          error: {
            code: code.slice(0, maxCodeLength),
            message: message.slice(0, maxMessageLength),
          },
        },
      }
    : { ok: false, reason: 'the body is not { error: { code, message } }' }
}
