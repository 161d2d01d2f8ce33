import { maxPrivateMetadataBytes, maxPrivateMetadataDepth } from './private-metadata-limits.js'

/** A JSON value: what privateMetadata may hold. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Who is billed for an event, for products that meter usage. */
export interface BillingMetadata {
  product: string
  category: string
}

/** The parameters of an event as they travel on the wire and sit in stores. */
export interface TelemetryEventParameters {
  /** Schema version of this feature/action's metadata; bump it when the meaning of a key changes. */
  version: number
  /** Exported: numbers only, under literal keys. */
  metadata?: Record<string, number>
  /** Kept on the instance; leaves only for allowlisted (feature, action, key) triples. */
  privateMetadata?: Record<string, JsonValue>
  billingMetadata?: BillingMetadata
  /** Groups the events of one user interaction. */
  interactionId?: string
}

export interface TelemetryEventSource {
  client: string
  clientVersion?: string
}

/** One event, the unit of everything Tally stores and sends. See docs/protocol.md. */
export interface TelemetryEvent {
  /** nanoid minted at record time: the idempotency key end to end. */
  id: string
  /** Client clock at record time. */
  timestamp: Date
  feature: string
  action: string
  source: TelemetryEventSource
  /** A new one after 30 min without events; shared by the events of one tab or window. */
  sessionId: string
  parameters: TelemetryEventParameters
}

/** What the client sends in one request. */
export interface EventBatch {
  events: TelemetryEvent[]
  /** Client clock when the batch left, so the backend can correct a skewed clock. */
  sentAt: Date
}

/** Bounds every part of the protocol agrees on; the server checks them again. */
export const limits = {
  maxNameLength: 64,
  maxMetadataKeys: 64,
  maxPrivateMetadataDepth,
  maxPrivateMetadataBytes,
  maxIdLength: 64,
  minIdLength: 8,
  maxSourceLength: 64,
  maxInteractionIdLength: 128,
  maxSchemaVersion: 2 ** 31 - 1,
  /** Earliest plausible timestamp; anything before is a broken clock or a forged event. */
  minTimestampMs: Date.UTC(2000, 0, 1),
  /** Latest plausible timestamp, far enough out that a skewed clock is still accepted. */
  maxTimestampMs: Date.UTC(2100, 0, 1),
} as const

/** Feature and action names: `search`, `blob.codeintel`, `goToDefinition`. */
export const namePattern = /^[a-z][a-zA-Z0-9.-]*$/

/** Ids and session ids: nanoid's URL-safe alphabet. */
export const idPattern = /^[A-Za-z0-9_-]+$/
