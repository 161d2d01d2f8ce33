import superjson from 'superjson'
import { failureReason, parseAcknowledgement } from '../../protocol/answers.js'
import type { ExportedEvent } from '../../protocol/export-redaction.js'
import { parseRetryAfter } from '../../protocol/backoff.js'
import type { SendResult } from '../../protocol/send-result.js'

/**
 * What one POST to the gateway came to; the worker decides what to do with it. The client's
 * results, less `unauthorized` and `rejected`: for the worker every failure but 413 is one to
 * back off from and retry (a gateway's 401 is an operator's key to fix, not a batch to drop).
 * 413 says the gateway's body limit is below this batch; a smaller batch may pass.
 */
export type GatewayResult = Extract<SendResult, { type: 'success' | 'too-large' | 'retryable' }>

export interface GatewayClientOptions {
  url: URL
  instanceId: string
  instanceKey: string
  fetch: typeof globalThis.fetch
  /** Deadline for the whole exchange, headers and body. */
  timeoutMs: number
  now: () => Date
}

/** The body of `POST /v1/events`: the same envelope as the client's batches. */
export function encodeExportBatch(events: readonly ExportedEvent[], sentAt: Date): string {
  return superjson.stringify({ events, sentAt })
}

/** Sends one batch; never throws (a network error or a timeout is a `retryable` result). */
export type SendToGateway = (body: string, signal: AbortSignal) => Promise<GatewayResult>

export function createGatewayClient(options: GatewayClientOptions): SendToGateway {
  return async (body, signal) => {
    const controller = new AbortController()
    const abort = () => controller.abort()
    signal.addEventListener('abort', abort)
    const timer = setTimeout(abort, options.timeoutMs)
    try {
      const response = await options.fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${options.instanceKey}`,
          'x-tally-instance': options.instanceId,
        },
        body,
        signal: controller.signal,
        redirect: 'error',
      })
      const text = await response.text()
      return classify(response.status, response.headers.get('retry-after'), text, options)
    } catch (error) {
      const reason = controller.signal.aborted
        ? signal.aborted
          ? 'the export was stopped'
          : `no answer within ${options.timeoutMs} ms`
        : `network error: ${describe(error)}`
      return { type: 'retryable', reason }
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', abort)
    }
  }
}

function classify(
  status: number,
  retryAfter: string | null,
  text: string,
  options: GatewayClientOptions,
): GatewayResult {
  if (status >= 200 && status < 300) {
    const acks = parseAcknowledgement(text)
    return acks
      ? { type: 'success', ...acks }
      : { type: 'retryable', reason: `HTTP ${status} without { accepted, rejected } in its body` }
  }
  const reason = failureReason(status, text)
  if (status === 413) return { type: 'too-large', reason }
  const retryAfterMs = parseRetryAfter(retryAfter, options.now().getTime())
  return retryAfterMs === undefined
    ? { type: 'retryable', reason }
    : { type: 'retryable', reason, retryAfterMs }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in its cause.
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
}
