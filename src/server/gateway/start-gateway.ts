import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createGateway, type GatewayOptions, type InstanceKeys } from './gateway.js'
import { startGatewayRetention, type GatewayRetentionTimer } from './gateway-retention.js'
import type { GatewayStore } from './gateway-store.js'
import { openPostgresGatewayStore } from './postgres-gateway-store.js'
import { openSqliteGatewayStore } from './sqlite-gateway-store.js'
import { openTemporaryGatewayStore } from './temporary-gateway-store.js'

export interface StartGatewayOptions {
  /** 0 lets the OS choose; the chosen port is in the returned `url`. */
  port: number
  /** @default '127.0.0.1' */
  host?: string
  /**
   * The SQLite folder (`gateway.db`, `instances/`). Without it, nor `databaseUrl`, the gateway
   * keeps what it receives in a temporary folder removed at close.
   */
  dataDir?: string
  /** PostgreSQL instead of SQLite (`postgres://…`). */
  databaseUrl?: string
  /** With `databaseUrl`, the gateway's schema. @default 'tally_gateway' */
  databaseSchema?: string
  instanceKeys: InstanceKeys
  adminKey?: string
  maxBodyBytes?: number
  /** Raw events kept, by the instance's receipt. @default 90 */
  retentionDays?: number
  /** Rollups and pings kept. @default 400 */
  rollupRetentionDays?: number
  /** How often retention runs (and once at start). @default one hour */
  retentionIntervalMs?: number
  onInternalError?: (error: unknown) => void
}

export interface RunningGateway {
  /** Base URL, e.g. `http://127.0.0.1:4318`: the exporter's `gatewayUrl`. */
  url: string
  store: GatewayStore
  /** Stops listening and retention, drops open connections and closes the store. Idempotent. */
  close(): Promise<void>
}

function openGatewayStore(options: StartGatewayOptions): Promise<GatewayStore> {
  if (options.databaseUrl !== undefined) {
    return openPostgresGatewayStore({
      connectionString: options.databaseUrl,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    })
  }
  if (options.dataDir !== undefined) return openSqliteGatewayStore({ dataDir: options.dataDir })
  return openTemporaryGatewayStore()
}

/** Serves the reference gateway over HTTP with @hono/node-server (`tally gateway`). */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1'
  const store = await openGatewayStore(options)
  const gatewayOptions: GatewayOptions = { store, instanceKeys: options.instanceKeys }
  if (options.adminKey !== undefined) gatewayOptions.adminKey = options.adminKey
  if (options.maxBodyBytes !== undefined) gatewayOptions.maxBodyBytes = options.maxBodyBytes
  if (options.onInternalError) gatewayOptions.onInternalError = options.onInternalError
  const app = createGateway(gatewayOptions)

  let server: Server
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => {
        started.off('error', reject)
        resolve(started as Server)
      })
      started.once('error', reject)
    })
  } catch (error) {
    await store.close()
    throw error
  }
  const retention: GatewayRetentionTimer = startGatewayRetention({
    store,
    rawDays: options.retentionDays ?? 90,
    rollupDays: options.rollupRetentionDays ?? 400,
    ...(options.retentionIntervalMs === undefined
      ? {}
      : { intervalMs: options.retentionIntervalMs }),
    ...(options.onInternalError ? { onError: options.onInternalError } : {}),
  })
  const { port } = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${port}`,
    store,
    close() {
      closing ??= new Promise<void>(resolve => {
        server.close(() => resolve())
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections()
      })
        .then(() => retention.stop())
        .then(() => store.close())
      return closing
    },
  }
}
