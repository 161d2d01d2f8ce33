import { parseRetryAfter } from '../../protocol/backoff.js'
import type { RejectedEvent, SendResult } from './transport.js'

/** Classifies a response to `POST /.api/telemetry/events` by DESIGN.md's response classes. */
export function classifyResponse(
  status: number,
  retryAfter: string | null,
  body: string,
  now: number,
): SendResult {
  if (status >= 200 && status < 300) {
    const acks = parseAcks(body)
    // A 2xx whose body names no ids cannot be trusted to have stored anything: resend, and
    // let the backend's unique ids absorb the duplicate.
    return acks ?? { type: 'retryable', reason: `HTTP ${status} with an unreadable body` }
  }
  const reason = `HTTP ${status}${errorMessage(body)}`
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

function parseAcks(body: string): SendResult | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { accepted, rejected } = parsed as { accepted?: unknown; rejected?: unknown }
  if (!Array.isArray(accepted) || !accepted.every(id => typeof id === 'string')) return undefined
  const refusals: RejectedEvent[] = []
  if (Array.isArray(rejected)) {
    for (const entry of rejected) {
      if (typeof entry !== 'object' || entry === null) continue
      const { id, reason } = entry as { id?: unknown; reason?: unknown }
      if (typeof id === 'string')
        refusals.push({ id, reason: typeof reason === 'string' ? reason : 'rejected' })
    }
  }
  return { type: 'success', accepted, rejected: refusals }
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } }
    const message = parsed.error?.message
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''
  } catch {
    return ''
  }
}
