// The instance backend entry point: a Web-standard handler, its stores, the export worker and
// the reference gateway. Never imported by a client bundle.
export { createTelemetryHandler, type TelemetryHandlerOptions } from './server/handler.js'
export {
  anyOf,
  anonymousVisitor,
  bearerTokens,
  createSessionCookie,
  sessionCookie,
  sessionCookieName,
  type Authenticate,
  type Identity,
} from './server/auth.js'
export type {
  ServerEventStore,
  IngestedEvent,
  StoredRow,
  ExportStats,
  RetentionPolicy,
} from './server/stores/server-event-store.js'
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
