import type { TelemetryConfig } from '../../protocol/config.js'
import type { Rejection } from '../../protocol/answers.js'
import type { EventBatch } from '../../protocol/event.js'
import type { SendResult } from '../../protocol/send-result.js'

/** A per-event refusal from the backend. */
export type RejectedEvent = Rejection

export type { SendResult }

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
