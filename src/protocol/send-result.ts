import type { Acknowledgement } from './answers.js'

/**
 * What became of one batch sent over HTTP, after OpenTelemetry's export results: the sender's
 * transport classifies the answer, and its caller (the client's sender, the export worker)
 * decides what to do with the batch. Every I/O result in Tally uses this `type` discriminant.
 */
export type SendResult =
  /** 2xx: the ids acknowledged and those refused as invalid; both are settled. */
  | ({ type: 'success' } & Acknowledgement)
  /** 408, 429, 5xx or a network failure: keep the batch and try later. */
  | { type: 'retryable'; reason: string; retryAfterMs?: number }
  /** 413: split the batch. */
  | { type: 'too-large'; reason: string }
  /** 401 or 403: pause until the credentials change. */
  | { type: 'unauthorized'; reason: string }
  /** Any other 4xx: the batch will never be accepted; drop it. */
  | { type: 'rejected'; reason: string }
