/** One event as the gateway keeps it. */
export interface GatewayRecord {
  instance: string
  id: string
  /** The validated event as JSON text (dates as ISO strings). */
  payload: string
  receivedAt: Date
}

/**
 * Where the reference gateway keeps what instances sent: each (instance, event id) once.
 * Implementations: SQLite (`openSqliteGatewayStore`) and memory (`createMemoryGatewayStore`).
 */
export interface GatewayStore {
  /**
   * Stores the events whose (instance, id) is new, in one transaction; an id already stored is
   * left as it was. Durable when it resolves. Resolves with how many rows were new.
   */
  insert(
    instance: string,
    events: readonly { id: string; payload: string }[],
    receivedAt: Date,
  ): Promise<number>
  /** The instance's `limit` most recent events, in the order received (newest last). */
  list(instance: string, limit: number): Promise<GatewayRecord[]>
  /** How many events the instance has stored. */
  count(instance: string): Promise<number>
  close(): Promise<void>
}
