// Each consumer of the instance's store takes only the roles it uses, so a store of the
// embedder's own (or a test double) needs no more. Checked by `npm run typecheck`.
import {
  bearerTokens,
  createExportWorker,
  createPingWorker,
  createTelemetryHandler,
  type ExportQueueStore,
  type IngestStore,
  type PingLogStore,
  type RetentionStore,
  type ServerEventStore,
} from '../../src/server.js'
import { createAdminRoutes } from '../../src/server/admin/admin-routes.js'

declare const ingest: IngestStore
declare const queue: ExportQueueStore
declare const retention: RetentionStore
declare const full: ServerEventStore
const authenticate = bearerTokens(new Map([['ci', 'sgp_local_0123456789abcdef']]))
const gateway = { gatewayUrl: 'https://g.example.com', instanceId: 'acme', instanceKey: 'k' }

createTelemetryHandler({ store: ingest, authenticate })
createTelemetryHandler({ store: { userId: async () => 1, insert: async () => 0 }, authenticate })
createTelemetryHandler({ store: full, authenticate })
// @ts-expect-error -- ingest needs insert
createTelemetryHandler({ store: { userId: async () => 1 }, authenticate })
// @ts-expect-error -- the export queue is no ingest store
createTelemetryHandler({ store: queue, authenticate })

createExportWorker({ store: { ...queue, ...retention }, ...gateway })
createExportWorker({ store: full, ...gateway })
// @ts-expect-error -- the worker applies retention too
createExportWorker({ store: queue, ...gateway })
// @ts-expect-error -- an ingest store has no export queue
createExportWorker({ store: { ...ingest, ...retention }, ...gateway })

createAdminRoutes({ adminToken: 'a-token-of-16-chars!', exportMode: 'redact', store: queue })
createAdminRoutes({
  adminToken: 'a-token-of-16-chars!',
  exportMode: 'redact',
  store: { stats: async () => ({ total: 0, backlog: 0, oldestUnexportedAt: null }) },
})
// @ts-expect-error -- the admin pages show the queue's stats
createAdminRoutes({ adminToken: 'a-token-of-16-chars!', exportMode: 'redact', store: ingest })

// The daily ping reads the ping log and the insights, and knows the store's kind.
declare const pingLog: PingLogStore
createPingWorker({ store: full, ...gateway })
createPingWorker({ store: { ...pingLog, kind: 'sqlite', insights: full.insights }, ...gateway })
// @ts-expect-error -- the ping worker records what the gateway answered in the ping log
createPingWorker({ store: { kind: 'sqlite', insights: full.insights }, ...gateway })
