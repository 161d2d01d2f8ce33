import type { TelemetryEvent } from '../../protocol/event.js'

/** An event as the instance stores it: validated and scrubbed again on receipt. */
export interface IngestedEvent {
  event: TelemetryEvent
  /** Numeric per-instance user id, derived from authentication; never from the client. */
  userId: number
  /** Server clock at receipt. */
  receivedAt: Date
  /**
   * The client's timestamp corrected by the skew the batch's `sentAt` revealed
   * (`timestamp + (receivedAt - sentAt)`); `event.timestamp` keeps the client's own.
   */
  correctedTimestamp: Date
  /**
   * The export state the event arrives with: ingest never sets it (a new event waits for
   * export); `tally import` keeps a dump's, so that an instance moved to another store does
   * not send its history upstream again. Both absent or null: not exported yet.
   */
  exportedAt?: Date | null
  exportRejection?: string | null
}

/** A stored event with its export state. */
export interface StoredRow extends IngestedEvent {
  /** When the gateway acknowledged or refused the event; null while it waits for export. */
  exportedAt: Date | null
  /** Set when the gateway refused the event: it is never retried. */
  exportRejection: string | null
}
