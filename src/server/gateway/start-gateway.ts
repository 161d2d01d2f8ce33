import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createGateway, type GatewayOptions } from './gateway.js'
import type { GatewayStore } from './gateway-store.js'
import { createMemoryGatewayStore } from './memory-gateway-store.js'
import { openSqliteGatewayStore } from './sqlite-gateway-store.js'

export interface StartGatewayOptions {
  /** 0 lets the OS choose; the chosen port is in the returned `url`. */
  port: number
  /** @default '127.0.0.1' */
  host?: string
  /** Directory of the SQLite database (`gateway.db`); without one, events are kept in memory. */
  dataDir?: string
  instanceKeys: ReadonlyMap<string, string>
  adminKey?: string
  maxBodyBytes?: number
  onInternalError?: (error: unknown) => void
}

export interface RunningGateway {
  /** Base URL, e.g. `http://127.0.0.1:4318`: the exporter's `gatewayUrl`. */
  url: string
  store: GatewayStore
  /** Stops listening, drops open connections and closes the store. Idempotent. */
  close(): Promise<void>
}

/** Serves the reference gateway over HTTP with @hono/node-server (`tally gateway`). */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1'
  const store =
    options.dataDir === undefined
      ? createMemoryGatewayStore()
      : openSqliteGatewayStore({ path: join(options.dataDir, 'gateway.db') })
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
      }).then(() => store.close())
      return closing
    },
  }
}
