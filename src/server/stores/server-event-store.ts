import type { TelemetryEvent } from '../../protocol/event.js'
import type { InsightsStore } from './insights-store.js'

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
}

/** A stored event with its export state. */
export interface StoredRow extends IngestedEvent {
  exportedAt: Date | null
  /** Set when the gateway refused the event: it is never retried. */
  exportRejection: string | null
}

export interface ExportStats {
  /** Rows stored. */
  total: number
  /** Rows neither exported nor refused by the gateway. */
  backlog: number
  oldestUnexportedAt: Date | null
}

export interface RetentionPolicy {
  /** Exported (or refused) rows received before this are deleted. */
  exportedBefore: Date
  /** Unexported rows received before this are deleted (and counted). */
  unexportedBefore: Date
  /** At most this many unexported rows are kept; the oldest beyond are deleted. */
  maxUnexported: number
}

/**
 * Where the instance keeps events. One contract test suite (test/contract/) runs against
 * every implementation: SQLite (embedded default) and PostgreSQL (several replicas).
 */
export interface ServerEventStore {
  readonly kind: 'sqlite' | 'postgres'
  /** The insights' rollups and queries; absent on stores that keep none (the test doubles). */
  readonly insights?: InsightsStore
  /** Creates or upgrades the schema; idempotent, safe to run from several replicas at once. */
  migrate(): Promise<void>
  /** The numeric id for an authenticated subject (a token name, a session, an anonymous id), created on first use. */
  userId(subject: string): Promise<number>
  /**
   * Stores events whose id is not stored yet, in one transaction; an id already stored is
   * left as it was (retries and duplicate sends never become rows). Durable when it resolves.
   * Resolves with how many rows were new.
   */
  insert(events: readonly IngestedEvent[]): Promise<number>
  /** Events by id (for tests and the admin pages). */
  get(ids: readonly string[]): Promise<StoredRow[]>
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
  markRejected(rejections: readonly { id: string; reason: string }[], now: Date): Promise<void>
  /** Gives claimed rows back (a failed export) so that the next run takes them at once. */
  release(ids: readonly string[]): Promise<void>
  /** Applies retention; resolves with the rows deleted by each rule. */
  prune(policy: RetentionPolicy): Promise<{ exported: number; unexported: number }>
  stats(): Promise<ExportStats>
  close(): Promise<void>
}
