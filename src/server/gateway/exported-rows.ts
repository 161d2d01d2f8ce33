import type { ExportedEvent } from '../../protocol/export-redaction.js'
import type { IngestedEvent, StoredRow } from '../stores/server-event-store.js'

/*
 * An exported event kept in an instance store, and back. The store's corrected timestamp is
 * the exported `timestamp` (the instance's own corrected one) and its user the exported
 * numeric user, so that the insights the gateway answers over an instance's events are the
 * instance's over the same events. The store's receipt is the instance's, so that raw events
 * age out by the same clock on both sides; the gateway's own receipt is the row's settlement
 * (`exportedAt`), set once when the row first arrives.
 */

export function toIngested(exported: ExportedEvent): IngestedEvent {
  return {
    event: {
      id: exported.id,
      timestamp: exported.clientTimestamp,
      feature: exported.feature,
      action: exported.action,
      source: exported.source,
      sessionId: exported.sessionId,
      parameters: exported.parameters,
    },
    userId: exported.userId,
    receivedAt: exported.receivedAt,
    correctedTimestamp: exported.timestamp,
  }
}

export function toExported(row: IngestedEvent | StoredRow): ExportedEvent {
  const { event } = row
  return {
    id: event.id,
    timestamp: row.correctedTimestamp,
    clientTimestamp: event.timestamp,
    feature: event.feature,
    action: event.action,
    source: event.source,
    sessionId: event.sessionId,
    parameters: event.parameters,
    userId: row.userId,
    receivedAt: row.receivedAt,
  }
}
