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
  | 'forbidden-host'
  | 'forbidden-origin'
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

/**
 * Ids an acknowledgement may name, accepted and rejected together: far above any batch limit,
 * and low enough that a hostile answer cannot make the reader walk millions of entries.
 */
export const maxAnswerIds = 100_000
/** A refusal's reason is cut to this length: the export worker stores it beside the event. */
export const maxReasonLength = 500

export function acknowledgement(accepted: string[], rejected: Rejection[]): Acknowledgement {
  return { accepted, rejected }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } }
}

/** The JSON object a body holds, or an empty one for anything else. */
function readObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

// Any string will do: the sender keeps only the ids it sent, so an id it never sent (empty,
// overlong) matches nothing.
const isId = (id: unknown): id is string => typeof id === 'string'

/**
 * Reads an acknowledgement from a peer that may be broken or hostile; undefined when the body
 * is not one. Never throws. `accepted` must be an array of strings, every one: a 2xx whose body
 * cannot say what was stored is not trusted with any of it, so the sender keeps the batch. A
 * `rejected` that is missing or not an array means nothing was refused; its entries without a
 * string id are skipped, a missing reason reads as `rejected`, a long one is cut. Past
 * {@link maxAnswerIds} ids in all, nothing is read.
 *
 * Like `parseConfig`, it answers undefined rather than a reason: the client bundle carries
 * every string written here, and a sender only needs to know whether it can trust the answer.
 */
export function parseAcknowledgement(text: string): Acknowledgement | undefined {
  const { accepted, rejected } = readObject(text)
  const entries: unknown[] = Array.isArray(rejected) ? rejected : []
  const refusals: Rejection[] = []
  if (
    Array.isArray(accepted) &&
    accepted.length + entries.length <= maxAnswerIds &&
    accepted.every(isId)
  ) {
    for (const entry of entries) {
      const { id, reason } = (entry ?? {}) as { id?: unknown; reason?: unknown }
      if (isId(id)) {
        refusals.push({
          id,
          reason: typeof reason === 'string' ? reason.slice(0, maxReasonLength) : 'rejected',
        })
      }
    }
    return { accepted, rejected: refusals }
  }
  return undefined
}

/**
 * Reads `{ error: { code, message } }`, the code cut to 64 characters and the message to 200;
 * undefined when the body is not one. Never throws.
 */
export function parseErrorBody(text: string): ErrorBody<string> | undefined {
  const { code, message } = (readObject(text).error ?? {}) as { code?: unknown; message?: unknown }
  return typeof code === 'string' && typeof message === 'string'
    ? { error: { code: code.slice(0, 64), message: message.slice(0, 200) } }
    : undefined
}

/** What a failed answer says, for logs and errors: `HTTP 503: <its message>`, or the bare status. */
export function failureReason(status: number, text: string): string {
  const body = parseErrorBody(text)
  return `HTTP ${status}${body ? `: ${body.error.message}` : ''}`
}
