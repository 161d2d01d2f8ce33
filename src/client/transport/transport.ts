import type { TelemetryConfig } from '../../protocol/config.js'
import type { EventBatch } from '../../protocol/event.js'

/** A per-event refusal from the backend. */
export interface RejectedEvent {
  id: string
  reason: string
}

/**
 * What became of one send, after OpenTelemetry's export results: the transport classifies
 * the response, the sender decides what to do with the queue.
 */
export type SendResult =
  /** 2xx: the ids acknowledged and those refused as invalid; both leave the queue. */
  | { type: 'success'; accepted: string[]; rejected: RejectedEvent[] }
  /** 408, 429, 5xx or a network failure: keep the batch and try later. */
  | { type: 'retryable'; reason: string; retryAfterMs?: number }
  /** 413: split the batch. */
  | { type: 'too-large'; reason: string }
  /** 401 or 403: pause until the credentials change. */
  | { type: 'unauthorized'; reason: string }
  /** Any other 4xx: the batch will never be accepted; drop it. */
  | { type: 'rejected'; reason: string }

export interface SendContext {
  /** Sent as a bearer token when set (editor extensions); browsers rely on the session cookie. */
  accessToken?: string
  /** Aborts the send at a deadline (shutdown, request timeout). */
  signal?: AbortSignal
  /**
   * A send at page unload: it must survive the page (`fetch` keepalive) and avoid a CORS
   * preflight, which a dying page cannot wait for.
   */
  keepalive?: boolean
}

/** Sends one batch. A transport never throws for a failed send: it returns a result. */
export interface Transport {
  send(batch: EventBatch, context: SendContext): Promise<SendResult>
  /** Asks the backend for its config; undefined when it cannot tell. Never throws. */
  config?(context: SendContext): Promise<TelemetryConfig | undefined>
}
