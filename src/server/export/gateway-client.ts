import superjson from 'superjson'
import { failureReason, parseAcknowledgement } from '../../protocol/answers.js'
import type { ExportedEvent } from '../../protocol/export-redaction.js'
import { parseRetryAfter } from '../../protocol/backoff.js'
import type { SendResult } from '../../protocol/send-result.js'
import { readBounded } from './bounded-body.js'
import type { ResolvedUpstreamOptions } from './upstream-options.js'

/**
 * Why an exchange with the gateway failed, as a closed set: what metrics label a failure with,
 * so that no address, credential or text from the gateway lands in a label.
 */
export type GatewayErrorClass =
  'network' | 'timeout' | 'stopped' | 'http-4xx' | 'http-5xx' | 'bad-answer' | 'answer-too-large'

/**
 * What one POST to the gateway came to; the worker decides what to do with it. The client's
 * results, less `unauthorized` and `rejected`: for the worker every failure but 413 is one to
 * back off from and retry (a gateway's 401 is an operator's key to fix, not a batch to drop).
 * 413 says the gateway's body limit is below this batch; a smaller batch may pass. A retryable
 * failure carries its class, for metrics.
 */
export type GatewayResult =
  | Extract<SendResult, { type: 'success' | 'too-large' }>
  | (Extract<SendResult, { type: 'retryable' }> & { errorClass: GatewayErrorClass })

export interface GatewayClientOptions {
  url: URL
  instanceId: string
  instanceKey: string
  fetch: typeof globalThis.fetch
  /** Deadline for the whole exchange, headers and body. */
  timeoutMs: number
  /** Bound on the answer's bytes after decoding; past it the answer is not read on. */
  maxAnswerBytes: number
  now: () => Date
}

/** The body of `POST /v1/events`: the same envelope as the client's batches. */
export function encodeExportBatch(events: readonly ExportedEvent[], sentAt: Date): string {
  return superjson.stringify({ events, sentAt })
}

/** Sends one batch; never throws (a network error or a timeout is a `retryable` result). */
export type SendToGateway = (body: string, signal: AbortSignal) => Promise<GatewayResult>

/** The client a worker sends with, from its resolved options; none in `off` mode. */
export function createUpstreamClient(config: ResolvedUpstreamOptions): SendToGateway | undefined {
  return (
    config.gateway &&
    createGatewayClient({
      ...config.gateway,
      fetch: config.fetch,
      timeoutMs: config.requestTimeoutMs,
      maxAnswerBytes: config.maxAnswerBytes,
      now: config.now,
    })
  )
}

export function createGatewayClient(options: GatewayClientOptions): SendToGateway {
  // Errors name the gateway by its origin alone: the URL checks already refuse credentials in
  // it, and its path says nothing an operator needs.
  const gateway = options.url.host
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
      const answer = await readBounded(response, options.maxAnswerBytes)
      if (answer.type === 'too-large') {
        return {
          type: 'retryable',
          errorClass: 'answer-too-large',
          reason: `the gateway at ${gateway} answered HTTP ${response.status} with a body past ${options.maxAnswerBytes} bytes; it was not read on`,
        }
      }
      return classify(response.status, response.headers.get('retry-after'), answer.text, options)
    } catch (error) {
      if (controller.signal.aborted) {
        return signal.aborted
          ? { type: 'retryable', errorClass: 'stopped', reason: 'the export was stopped' }
          : {
              type: 'retryable',
              errorClass: 'timeout',
              reason: `no answer from the gateway at ${gateway} within ${options.timeoutMs} ms`,
            }
      }
      return {
        type: 'retryable',
        errorClass: 'network',
        reason: `network error reaching the gateway at ${gateway}: ${describe(error)}`,
      }
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
      : {
          type: 'retryable',
          errorClass: 'bad-answer',
          reason: `HTTP ${status} without { accepted, rejected } in its body`,
        }
  }
  const reason = failureReason(status, text)
  if (status === 413) return { type: 'too-large', reason }
  const errorClass = status >= 500 ? 'http-5xx' : 'http-4xx'
  const retryAfterMs = parseRetryAfter(retryAfter, options.now().getTime())
  return retryAfterMs === undefined
    ? { type: 'retryable', errorClass, reason }
    : { type: 'retryable', errorClass, reason, retryAfterMs }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in its cause.
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
}
