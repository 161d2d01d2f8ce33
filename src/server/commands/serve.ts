import { randomBytes } from 'node:crypto'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { parseAllowlist } from '../../protocol/export-redaction.js'
import { Hono } from 'hono'
import { createDemoRoutes, defaultDemoDir } from '../../demo/routes.js'
import { createAdminRoutes } from '../admin/admin-routes.js'
import { anyOf, bearerTokens, sessionCookie } from '../auth.js'
import { createExportWorker, type ExportWorker } from '../export/export-worker.js'
import { renderPrometheus } from '../export/metrics.js'
import { startGateway, type RunningGateway } from '../gateway/start-gateway.js'
import { createTelemetryHandler } from '../handler.js'
import { openStore, parseExportMode, parsePairs, type StorageOptions } from './options.js'

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
  allowlist: readonly string[]
  /** `NAME=SECRET` bearer tokens. */
  tokens: readonly string[]
  /** Signs the demo's session cookies. @default a random secret per start */
  sessionSecret?: string | undefined
  /** Opens the admin pages at /admin (at least 16 characters). @default a random token per start */
  adminToken?: string | undefined
  corsOrigins: readonly string[]
  /** Also start a reference gateway on a free port and export to it (`npm start`). */
  localGateway: boolean
  /** Serve the demo app and its session sign-in (`npm start`). @default false */
  demo: boolean
  /** The Host headers the server answers (`--allowed-host`), against DNS rebinding. */
  allowedHosts: readonly string[]
  log: (line: string) => void
}

export interface RunningServer {
  url: string
  gatewayUrl: string | undefined
  /** The admin token, generated when none was given. */
  adminToken: string
  close(): Promise<void>
}

/** `tally serve`: the instance backend, its export worker and, for a demo, a local gateway. */
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
  if (options.localGateway && gatewayUrl === undefined) {
    instance ??= new Map([['local', randomBytes(18).toString('base64url')]])
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      dataDir: `${options.dataDir}-gateway`,
      instanceKeys: instance,
    })
    gatewayUrl = gateway.url
  }
  const [instanceId, instanceKey] = [...(instance ?? new Map<string, string>())][0] ?? []

  let worker: ExportWorker | undefined
  if (exportMode === 'off' || gatewayUrl !== undefined) {
    worker = createExportWorker({
      store,
      mode: exportMode,
      allowlist,
      intervalMs: options.exportIntervalMs,
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
    worker.start()
  } else {
    options.log(
      'export: no --gateway-url; events stay in the backlog until one is set (or --export-mode off)',
    )
  }

  const sessionSecret = options.sessionSecret ?? randomBytes(32).toString('hex')
  const handler = createTelemetryHandler({
    store,
    authenticate: anyOf(bearerTokens(tokens), sessionCookie(sessionSecret)),
    exportMode,
    corsOrigins: options.corsOrigins,
    metrics: async () => (worker ? renderPrometheus(await worker.refreshMetrics()) : ''),
  })

  const adminToken = options.adminToken ?? randomBytes(18).toString('base64url')
  handler.route('/admin', createAdminRoutes({ adminToken, exportMode, worker, store }))

  const app = new Hono()
  app.route('/', handler)
  app.route('/', createDemoRoutes({ sessionSecret, staticDir: defaultDemoDir(import.meta.url) }))
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`

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
    adminToken,
    close() {
      closing ??= (async () => {
        clearInterval(ticker)
        await worker?.stop()
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
