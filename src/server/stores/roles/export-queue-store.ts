import type { StoredRow } from '../stored-event.js'

export interface ExportStats {
  /** Rows stored. */
  total: number
  /** Rows neither exported nor refused by the gateway. */
  backlog: number
  oldestUnexportedAt: Date | null
}

/** A gateway's refusal of one event, kept with the row. */
export interface ExportRejection {
  id: string
  reason: string
}

/** The rows still to export, as the export worker (and its preview) works through them. */
export interface ExportQueueStore {
  /**
   * Claims up to `limit` unexported rows, oldest first, for `leaseMs`: rows claimed by another
   * exporter whose lease has not run out are skipped (PostgreSQL: `FOR UPDATE SKIP LOCKED`),
   * so two exporters never send the same row at once.
   */
  claimForExport(limit: number, leaseMs: number, now: Date): Promise<StoredRow[]>
  /**
   * The rows the next exports would send, in export order from `offset` on, without claiming
   * them (`tally export --preview`, the admin page's preview, a page at a time).
   */
  peekExport(limit: number, offset?: number): Promise<StoredRow[]>
  /** Marks rows acknowledged by the gateway. */
  markExported(ids: readonly string[], now: Date): Promise<void>
  /** Marks rows the gateway refused, so that they are never sent again. */
  markRejected(rejections: readonly ExportRejection[], now: Date): Promise<void>
  /** Gives claimed rows back (a failed export) so that the next run takes them at once. */
  release(ids: readonly string[]): Promise<void>
  stats(): Promise<ExportStats>
}
