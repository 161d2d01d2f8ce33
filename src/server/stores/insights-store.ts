import type { StoredRow } from './server-event-store.js'

/** One statement in each dialect; `@name` placeholders, bound by name from the parameters. */
export interface InsightsSql {
  sqlite: string
  postgres: string
}

/** Where a page of `InsightsStore.page` starts: after the row of this time and id. */
export interface PageCursor {
  correctedTimestamp: Date
  id: string
}

/** A value a question's statement may bind: integers bind as integers in both dialects. */
export type InsightsParameter = number | string

/**
 * A row a question's statement returns: counts may arrive as strings (PostgreSQL's BIGINT and
 * NUMERIC), so each question reads them with `Number`.
 */
export type InsightsRow = Record<string, number | string | null>

/**
 * What the insights read from a store. Each question (src/server/insights/) keeps its own SQL
 * for both dialects beside its definition, so the store only runs it; the rollups it reads
 * (`usage_daily`, `active_days`, `first_days`, by UTC day) are kept by the store as events
 * arrive: PostgreSQL in the insert's transaction, SQLite behind the events, brought up to every
 * stored row before each `query` and `pruneRollups` (stores/sqlite-deferred-rollups.ts).
 */
export interface InsightsStore {
  readonly dialect: 'sqlite' | 'postgres'
  /** Runs one read-only statement of a question with its parameters. */
  query(
    sql: InsightsSql,
    parameters: Readonly<Record<string, InsightsParameter>>,
  ): Promise<InsightsRow[]>
  /**
   * Every stored event in time order (the corrected timestamp, then the id), `limit` at a
   * time after the row `after` names (`tally dump`): a keyset page, so that a dump of any size
   * reads each row once. Time order rather than id order, which random ids make a random
   * order: `tally import` writes a dump's lines into the time-ordered indexes near where the
   * previous line went, and measured 3× faster on a dump in this order (docs/architecture.md).
   */
  page(after: PageCursor | undefined, limit: number): Promise<StoredRow[]>
  /** Deletes the rollups' days before `before` (their retention); resolves with the rows deleted. */
  pruneRollups(before: Date): Promise<number>
  /**
   * Brings the rollups up to every stored event now, as `query` would first (a no-op where
   * the insert keeps them): `tally import` does it before it closes, so that the first question
   * after an import does not pay for the import's last events.
   */
  settle(): Promise<void>
}
