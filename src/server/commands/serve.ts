import { randomBytes } from 'node:crypto'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { parseAllowlist } from '../../protocol/export-redaction.js'
import { Hono } from 'hono'
import { createAdminRoutes } from '../admin/admin-routes.js'
import { anyOf, bearerTokens, type Authenticate } from '../auth.js'
import { createAuthThrottle } from '../auth-throttle.js'
import { createExportWorker, type ExportWorker } from '../export/export-worker.js'
import { renderPrometheus } from '../export/metrics.js'
import { startGateway, type RunningGateway } from '../gateway/start-gateway.js'
import { renderPingPrometheus } from '../pings/ping-metrics.js'
import { createPingWorker, type PingWorker } from '../pings/ping-worker.js'
import { createTelemetryHandler } from '../handler.js'
import { hostCheck, isLoopbackHost } from '../host-check.js'
import { noSniff } from '../security-headers.js'
import type { ServerEventStore } from '../stores/server-event-store.js'
import { openStore, parseExportMode, parsePairs, type StorageOptions } from './options.js'

const dayMs = 24 * 60 * 60_000

export interface ServeOptions extends StorageOptions {
  port: number
  host: string
  exportMode: string
  gatewayUrl?: string | undefined
  /** `ID=KEY`, or a bare key for the instance id `default`. */
  instanceKey?: string | undefined
  exportIntervalMs: number
  /**
   * A gateway request's deadline; export claims are leased for 5 times this, so rows an
   * exporter killed mid-send had claimed go out again after that. @default 60000
   */
  exportTimeoutMs?: number | undefined
  /** Raw events are kept this many days from receipt, exported or not. @default 90 */
  retentionDays?: number | undefined
  /** The insights' daily rollups are kept this many days. @default 400 */
  rollupRetentionDays?: number | undefined
  allowlist: readonly string[]
  /** `NAME=SECRET` bearer tokens. */
  tokens: readonly string[]
  /** Opens the admin pages at /admin (at least 16 characters). @default a random token per start */
  adminToken?: string | undefined
  corsOrigins: readonly string[]
  /** Host names answered besides loopback ones while bound to a loopback address (`--allowed-host`). */
  allowedHosts?: readonly string[] | undefined
  /** Also start a reference gateway on a free port and export to it (`npm start`). */
  localGateway: boolean
  log: (line: string) => void
  /** Served beside the telemetry handler: how `tally serve --demo` adds the demo. */
  extension?: ServeExtension | undefined
  /** A line atop every admin page, read at each request (the demo data's notice). */
  notice?: (() => string | undefined) | undefined
}

/** More routes for the server, and how their users' event batches authenticate. */
export interface ServeExtension {
  /** Tried for event batches after the bearer tokens. */
  authenticate?: Authenticate | undefined
  /** Mounted at `/`, after the telemetry handler and the admin pages, which win a clash. */
  routes?: Hono | undefined
  /**
   * Runs in the background once the server listens, with the store (the demo's generated
   * history); the export worker starts when it settles, so that rows it stores and settles are
   * never exported. `signal` aborts when the server closes, which waits for it.
   */
  onListening?: ((store: ServerEventStore, signal: AbortSignal) => Promise<void>) | undefined
}

export interface RunningServer {
  url: string
  gatewayUrl: string | undefined
  /** Whether `gatewayUrl` is the reference gateway this process started (`--local-gateway`). */
  localGateway: boolean
  /** The admin token, generated when none was given. */
  adminToken: string
  close(): Promise<void>
}

/**
 * The instance backend, its export worker and, for a demo, a local gateway: `tally serve`
 * without the demo app, which src/commands/serve.ts adds through `extension`.
 */
export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const exportMode = parseExportMode(options.exportMode)
  const allowlist = parseAllowlist(options.allowlist)
  const tokens = parsePairs(options.tokens, '--token')
  const store = await openStore(options)

  let gateway: RunningGateway | undefined
  let gatewayUrl = options.gatewayUrl
  let instance =
    options.instanceKey === undefined
      ? undefined
      : parsePairs([options.instanceKey], '--instance-key', 'default')
  const adminToken = options.adminToken ?? randomBytes(18).toString('base64url')
  if (options.localGateway && gatewayUrl === undefined) {
    instance ??= new Map([['local', randomBytes(18).toString('base64url')]])
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      dataDir: `${options.dataDir}-gateway`,
      instanceKeys: instance,
      // One operator runs both: the instance's admin token opens the local fleet page too.
      adminKey: adminToken,
    })
    gatewayUrl = gateway.url
  }
  const [instanceId, instanceKey] = [...(instance ?? new Map<string, string>())][0] ?? []

  const retention = {
    rawDays: options.retentionDays ?? 90,
    rollupDays: options.rollupRetentionDays ?? 400,
  }
  let worker: ExportWorker | undefined
  if (exportMode === 'off' || gatewayUrl !== undefined) {
    worker = createExportWorker({
      store,
      mode: exportMode,
      allowlist,
      intervalMs: options.exportIntervalMs,
      retention: {
        exportedMs: retention.rawDays * dayMs,
        unexportedMs: retention.rawDays * dayMs,
        rollupsMs: retention.rollupDays * dayMs,
      },
      ...(options.exportTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.exportTimeoutMs }),
      ...(gatewayUrl === undefined ? {} : { gatewayUrl }),
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(instanceKey === undefined ? {} : { instanceKey }),
      onLog: entry => {
        options.log(`export ${entry.level}: ${entry.message}`)
      },
    })
  } else {
    options.log(
      'export: no --gateway-url; events stay in the backlog until one is set (or --export-mode off)',
    )
  }
  // The daily ping goes where the events go, in the same modes: never in `off`.
  let pings: PingWorker | undefined
  if (exportMode !== 'off' && gatewayUrl !== undefined && store.insights !== undefined) {
    pings = createPingWorker({
      store,
      mode: exportMode,
      gatewayUrl,
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(instanceKey === undefined ? {} : { instanceKey }),
      ...(options.exportTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.exportTimeoutMs }),
      onLog: entry => {
        options.log(`ping ${entry.level}: ${entry.message}`)
      },
    })
  }

  const extra = options.extension?.authenticate
  // One throttle for every credential the instance checks, so that its memory has one bound.
  const authThrottle = createAuthThrottle()
  const handler = createTelemetryHandler({
    store,
    authenticate: extra ? anyOf(bearerTokens(tokens), extra) : bearerTokens(tokens),
    exportMode,
    corsOrigins: options.corsOrigins,
    authThrottle,
    metrics: async () =>
      (worker ? renderPrometheus(await worker.refreshMetrics()) : '') +
      (pings ? renderPingPrometheus(pings.metrics()) : ''),
  })

  handler.route(
    '/admin',
    createAdminRoutes({
      adminToken,
      exportMode,
      worker,
      pings,
      store,
      retention,
      authThrottle,
      ...(options.notice === undefined ? {} : { notice: options.notice }),
    }),
  )

  const app = new Hono()
  app.use('*', noSniff())
  if (isLoopbackHost(options.host)) {
    app.use('*', hostCheck({ allowedHosts: options.allowedHosts ?? [] }))
  }
  app.route('/', handler)
  if (options.extension?.routes) app.route('/', options.extension.routes)
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`

  const onListening = options.extension?.onListening
  const closed = new AbortController()
  const settled = (async () => {
    try {
      await onListening?.(store, closed.signal)
    } catch (error) {
      options.log(`serve: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (!closed.signal.aborted) {
      worker?.start()
      pings?.start()
    }
  })()

  // One line a minute: what came in and what went out since the last.
  let last = handler.ingestMetrics.totals()
  const ticker = setInterval(() => {
    const now = handler.ingestMetrics.totals()
    const metrics = worker?.metrics()
    options.log(
      `ingest: ${now.stored - last.stored} stored, ${now.duplicate - last.duplicate} duplicates, ` +
        `${now.rejected - last.rejected} rejected; export: ` +
        (metrics
          ? `${metrics.exported} exported in all, backlog ${metrics.backlog}` +
            (metrics.lastError ? `, last error: ${metrics.lastError.message}` : '')
          : 'not configured'),
    )
    last = now
  }, 60_000)
  ticker.unref()

  let closing: Promise<void> | undefined
  return {
    url,
    gatewayUrl,
    localGateway: gateway !== undefined,
    adminToken,
    close() {
      closing ??= (async () => {
        clearInterval(ticker)
        closed.abort()
        await settled
        await worker?.stop()
        await pings?.stop()
        await new Promise<void>(resolve => {
          server.close(() => {
            resolve()
          })
          ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        })
        await gateway?.close()
        await store.close()
      })()
      return closing
    },
  }
}
