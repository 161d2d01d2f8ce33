import type { Statement } from 'better-sqlite3'
import { metadataPairs } from './metadata-pairs.js'
import { encodePayload } from './rows.js'
import type { IngestedEvent } from './server-event-store.js'
import { returnedValues, type ManyRows } from './sqlite-many-rows.js'

/** A batch's events, many rows a statement; an id already stored is left as it was. */
const insertEvents: ManyRows = {
  width: 10,
  source: values => `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
      received_at, payload, session_id, metadata) VALUES ${values}
    ON CONFLICT (id) DO NOTHING RETURNING id`,
}

/**
 * Inserts the events' rows and gives the ids it added. RETURNING names the rows added: an id
 * stored before is not returned, and an id repeated in the batch once, for its first row,
 * which is the one stored.
 */
export function insertEventRows(
  sql: (source: string) => Statement,
  events: readonly IngestedEvent[],
): Set<string> {
  const rows = events.map(({ event, userId, receivedAt, correctedTimestamp }) => [
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
  ])
  return new Set(returnedValues(sql, insertEvents, rows) as string[])
}
