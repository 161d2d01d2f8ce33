import superjson from 'superjson'
import type { ExportedEvent } from '../../protocol/export-redaction.js'
import { parseRetryAfter } from '../../protocol/backoff.js'

export interface GatewayRejection {
  id: string
  reason: string
}

/** What one POST to the gateway came to; the worker decides what to do with it. */
export type GatewayResult =
  | { type: 'acknowledged'; accepted: string[]; rejected: GatewayRejection[] }
  /** 413: the gateway's body limit is below this batch; a smaller batch may pass. */
  | { type: 'too-large'; reason: string }
  | { type: 'failed'; reason: string; retryAfterMs?: number }

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

/** Sends one batch; never throws (a network error or a timeout is a `failed` result). */
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
      return { type: 'failed', reason }
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
    return (
      parseAcks(text) ?? {
        type: 'failed',
        reason: `HTTP ${status} without { accepted, rejected } in its body`,
      }
    )
  }
  const reason = `HTTP ${status}${errorMessage(text)}`
  if (status === 413) return { type: 'too-large', reason }
  const retryAfterMs = parseRetryAfter(retryAfter, options.now().getTime())
  return retryAfterMs === undefined
    ? { type: 'failed', reason }
    : { type: 'failed', reason, retryAfterMs }
}

function parseAcks(text: string): GatewayResult | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { accepted, rejected } = parsed as { accepted?: unknown; rejected?: unknown }
  if (!Array.isArray(accepted)) return undefined
  const rejections: GatewayRejection[] = []
  if (Array.isArray(rejected)) {
    for (const entry of rejected) {
      if (typeof entry !== 'object' || entry === null) continue
      const { id, reason } = entry as { id?: unknown; reason?: unknown }
      if (typeof id !== 'string') continue
      rejections.push({
        id,
        reason: typeof reason === 'string' ? reason.slice(0, 500) : 'rejected',
      })
    }
  }
  return {
    type: 'acknowledged',
    accepted: accepted.filter(id => typeof id === 'string'),
    rejected: rejections,
  }
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } }
    const message = parsed.error?.message
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''
  } catch {
    return ''
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in its cause.
  const cause = (error as { cause?: unknown }).cause
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
}
