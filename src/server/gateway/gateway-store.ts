import type { ExportedEvent } from '../../protocol/export-redaction.js'
import type { InsightsStore } from '../stores/insights-store.js'
import type { GatewayPingStore } from './gateway-ping-store.js'

/** One event as the gateway keeps it. */
export interface GatewayRecord {
  instance: string
  id: string
  /** The event as the instance exported it (and the gateway checked it). */
  event: ExportedEvent
  /** Gateway clock when it was first stored. */
  receivedAt: Date
}

/** What one `prune` cuts, each bound exclusive. */
export interface GatewayRetention {
  /** Raw events the instance received before this are deleted. */
  eventsBefore: Date
  /** Rollup days before this are deleted (the insights' reach). */
  rollupsBefore: Date
  /** Pings of days before this (`YYYY-MM-DD`) are deleted. */
  pingsBefore: string
}

/** What one `prune` deleted. */
export interface GatewayPruneResult {
  events: number
  rollupRows: number
  pings: number
}

/**
 * Where the reference gateway keeps what instances send: each (instance, event id) once, each
 * (instance, day) ping once. Each instance's events live in an instance store of the usual kind
 * (a SQLite file, a PostgreSQL schema), so that its insights are answered by the same engine,
 * with the same rollups, as on the instance itself. Implementations:
 * `openSqliteGatewayStore`, `openPostgresGatewayStore`, `openTemporaryGatewayStore`.
 */
export interface GatewayStore extends GatewayPingStore {
  /**
   * Stores the events whose (instance, id) is new, in one transaction of the instance's store;
   * an id already stored is left as it was, its first receipt kept. Durable when it resolves.
   * Resolves with how many were new. The instance is known from then on, even for no events.
   */
  insert(instance: string, events: readonly ExportedEvent[], receivedAt: Date): Promise<number>
  /**
   * The instance's `limit` most recently received events, newest last: by the gateway's receipt,
   * then in the instance's export order (its receipt, then id) within one receipt.
   */
  list(instance: string, limit: number): Promise<GatewayRecord[]>
  /** How many events the instance has stored. */
  count(instance: string): Promise<number>
  /**
   * The insights over the instance's events, for the questions of src/server/insights/;
   * undefined for an instance that never sent an event or a ping.
   */
  insights(instance: string): Promise<InsightsStore | undefined>
  /** Every instance that sent an event or a ping, sorted. */
  instances(): Promise<string[]>
  /** Applies retention to every instance's events and rollups, and to the pings. */
  prune(retention: GatewayRetention): Promise<GatewayPruneResult>
  /** Idempotent. */
  close(): Promise<void>
}
