import { failureReason, parseAcknowledgement } from '../../protocol/answers.js'
import { parseRetryAfter } from '../../protocol/backoff.js'
import type { SendResult } from './transport.js'

/** Classifies a response to `POST /.api/telemetry/events` by the response classes of docs/protocol.md. */
export function classifyResponse(
  status: number,
  retryAfter: string | null,
  body: string,
  now: number,
): SendResult {
  if (status >= 200 && status < 300) {
    const acks = parseAcknowledgement(body)
    // A 2xx whose body names no ids cannot be trusted to have stored anything: resend, and
    // let the backend's unique ids absorb the duplicate.
    return acks
      ? { type: 'success', ...acks }
      : { type: 'retryable', reason: `HTTP ${status} with an unreadable body` }
  }
  const reason = failureReason(status, body)
  if (status === 413) return { type: 'too-large', reason }
  if (status === 401 || status === 403) return { type: 'unauthorized', reason }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now)
    return retryAfterMs === undefined
      ? { type: 'retryable', reason }
      : { type: 'retryable', reason, retryAfterMs }
  }
  return { type: 'rejected', reason }
}
