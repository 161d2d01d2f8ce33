import type { Statement } from 'better-sqlite3'
import { metadataPairs } from './metadata-pairs.js'
import { encodePayload } from './rows.js'
import type { IngestedEvent } from './server-event-store.js'

/**
 * Inserts the events' rows and gives the events it added, in order: an id stored before, or
 * repeated in the batch, is left as it was and added once, for its first row.
 */
export function insertEventRows(
  sql: (source: string) => Statement,
  events: readonly IngestedEvent[],
): IngestedEvent[] {
  const insert = sql(
    `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
       received_at, payload, session_id, metadata, exported_at, export_rejection)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  )
  const added: IngestedEvent[] = []
  for (const ingested of events) {
    const { event, userId, receivedAt, correctedTimestamp, exportedAt, exportRejection } = ingested
    const { changes } = insert.run(
      event.id,
      userId,
      event.feature,
      event.action,
      event.timestamp.getTime(),
      correctedTimestamp.getTime(),
      receivedAt.getTime(),
      encodePayload(event),
      event.sessionId,
      metadataPairs(event.parameters.metadata),
      exportedAt?.getTime() ?? null,
      exportRejection ?? null,
    )
    if (changes > 0) added.push(ingested)
  }
  return added
}
