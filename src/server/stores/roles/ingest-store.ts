import type { IngestedEvent, StoredRow } from '../stored-event.js'

/** What ingest needs: a user id for the authenticated subject, then the events stored. */
export interface IngestStore {
  /** The numeric id for an authenticated subject (a token name, a session, an anonymous id), created on first use. */
  userId(subject: string): Promise<number>
  /**
   * Stores events whose id is not stored yet, in one transaction; an id already stored is
   * left as it was (retries and duplicate sends never become rows). Durable when it resolves.
   * Resolves with how many rows were new.
   */
  insert(events: readonly IngestedEvent[]): Promise<number>
  /** Events by id, in the order asked, each once, unknown ids skipped (tests, support). */
  get(ids: readonly string[]): Promise<StoredRow[]>
}
