// The instance backend entry point: a Web-standard handler, its stores, the export worker, the
// daily ping worker and the reference gateway, and the demo's sign-in sessions. Never imported by a client bundle.
export { createTelemetryHandler, type TelemetryHandlerOptions } from './server/handler.js'
export {
  anyOf,
  anonymousVisitor,
  bearerTokens,
  type Authenticate,
  type Identity,
} from './server/auth.js'
export {
  demoSessions,
  demoSessionCookieName,
  type DemoSessions,
  type DemoSessionOptions,
} from './server/demo-sessions.js'
export type {
  ServerEventStore,
  IngestStore,
  ExportQueueStore,
  RetentionStore,
  StoreLifecycle,
  StoreKind,
  IngestedEvent,
  StoredRow,
  ExportStats,
  ExportRejection,
  RetentionPolicy,
  PruneResult,
  PingLogStore,
  PingRecord,
  PingStatus,
} from './server/stores/server-event-store.js'
export {
  StoreError,
  isStoreError,
  type StoreErrorOptions,
  type StoreOperation,
} from './server/errors/store-error.js'
export { openSqliteStore, type SqliteStoreOptions } from './server/stores/sqlite-store.js'
export { openPostgresStore, type PostgresStoreOptions } from './server/stores/postgres-store.js'
export {
  createExportWorker,
  type ExportWorker,
  type ExportRunResult,
  type ExportPreviewItem,
} from './server/export/export-worker.js'
export type { ExportWorkerOptions } from './server/export/export-options.js'
export { renderPrometheus, type ExportMetrics } from './server/export/metrics.js'
export {
  createPingWorker,
  type PingWorker,
  type PingRunResult,
  type PendingPing,
} from './server/pings/ping-worker.js'
export type { PingWorkerOptions, PingWorkerStore } from './server/pings/ping-options.js'
export { renderPingPrometheus, type PingMetrics } from './server/pings/ping-metrics.js'
export { checkPing, type Ping, type PingCheck } from './protocol/ping.js'
export { createGateway, type GatewayOptions } from './server/gateway/gateway.js'
export {
  startGateway,
  type StartGatewayOptions,
  type RunningGateway,
} from './server/gateway/start-gateway.js'
export {
  redactForExport,
  parseAllowlist,
  type Allowlist,
  type ExportedEvent,
  type Removal,
  type RemovalKind,
} from './protocol/export-redaction.js'
export type { ExportMode, TelemetryConfig } from './protocol/config.js'
