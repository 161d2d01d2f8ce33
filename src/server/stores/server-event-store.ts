import type { InsightsStore } from './insights-store.js'
import type { ExportQueueStore } from './roles/export-queue-store.js'
import type { IngestStore } from './roles/ingest-store.js'
import type { PingLogStore } from './roles/ping-log-store.js'
import type { RetentionStore } from './roles/retention-store.js'
import type { StoreLifecycle } from './roles/store-lifecycle.js'

export type { IngestedEvent, StoredRow } from './stored-event.js'
export type { IngestStore } from './roles/ingest-store.js'
export type { ExportQueueStore, ExportRejection, ExportStats } from './roles/export-queue-store.js'
export type { PingLogStore, PingRecord, PingStatus } from './roles/ping-log-store.js'
export type { PruneResult, RetentionPolicy, RetentionStore } from './roles/retention-store.js'
export type { StoreKind, StoreLifecycle } from './roles/store-lifecycle.js'

/**
 * Where the instance keeps events: the composition of the roles in `roles/`, one per kind of
 * consumer. The handler takes the ingest role, the export worker the export queue and
 * retention, the daily ping worker the ping log, the admin pages the queue's stats; only the commands that open and close a store
 * hold all of it. One contract test suite (test/contract/) runs against every implementation:
 * SQLite (embedded default), PostgreSQL (several replicas) and the memory test double.
 *
 * Usage insights (active users, sessions, features, retention…) are the `insights` role
 * (`insights-store.ts`), answered over the stored events and daily rollups kept as events
 * arrive; the handler and the export worker never see it.
 */
export interface ServerEventStore
  extends StoreLifecycle, IngestStore, ExportQueueStore, RetentionStore, PingLogStore {
  /** The insights' rollups and queries; absent on stores that keep none (the memory double). */
  readonly insights?: InsightsStore
}
