import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { afterEach } from 'vitest'
import { createExportWorker, type ExportWorker } from '../../../src/server/export/export-worker.js'
import type { ExportWorkerOptions } from '../../../src/server/export/export-options.js'
import { createGateway, type GatewayOptions } from '../../../src/server/gateway/gateway.js'
import type { GatewayStore } from '../../../src/server/gateway/gateway-store.js'
import { openTemporaryGatewayStore } from '../../../src/server/gateway/temporary-gateway-store.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'

export const instanceId = 'acme'
export const instanceKey = 'acme-key-0123456789'

/** What reached the gateway's front door, before the gateway judged it. */
export interface ReceivedRequest {
  method: string
  headers: Headers
  body: string
}

/** Answers the front gives instead of the gateway, in order, one per request. */
export type Fault = (request: Request) => Response | Promise<Response>

export interface Harness {
  url: string
  gatewayStore: GatewayStore
  requests: ReceivedRequest[]
  faults: Fault[]
  /** The ids the gateway holds for the instance, in the order received. */
  received(): Promise<string[]>
  /** The gateway's listing of the instance's events, as JSON. */
  listing(): Promise<Record<string, unknown>[]>
}

const servers: Server[] = []
const workers: ExportWorker[] = []
const stores: { close(): Promise<void> }[] = []

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop()
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
  for (const store of stores.splice(0)) await store.close()
})

/**
 * The real gateway app behind a real HTTP server on 127.0.0.1, port 0, with a front that
 * records every request and can answer in the gateway's place (a 503, a hang) on cue.
 */
export async function startHarness(gatewayOptions: Partial<GatewayOptions> = {}): Promise<Harness> {
  const gatewayStore = await openTemporaryGatewayStore()
  stores.push(gatewayStore)
  const gateway = createGateway({
    store: gatewayStore,
    instanceKeys: new Map([[instanceId, instanceKey]]),
    ...gatewayOptions,
  })
  const requests: ReceivedRequest[] = []
  const faults: Fault[] = []
  const front = async (request: Request): Promise<Response> => {
    const body = await request.clone().text()
    requests.push({ method: request.method, headers: request.headers, body })
    const fault = faults.shift()
    return fault ? fault(request) : gateway.fetch(request)
  }
  const server = await new Promise<Server>(resolve => {
    const started = serve({ fetch: front, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    )
  })
  servers.push(server)
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${String(port)}`
  const listing = async () =>
    (await gatewayStore.list(instanceId, 100_000)).map(
      record => JSON.parse(JSON.stringify(record.event)) as Record<string, unknown>,
    )
  return {
    url,
    gatewayStore,
    requests,
    faults,
    listing,
    received: async () => (await listing()).map(event => event.id as string),
  }
}

/** A test clock near the fixtures' receipt times, so that retention keeps them. */
export function testClock(start = Date.parse('2024-05-01T12:01:00.000Z')) {
  const clock = {
    ms: start,
    now: () => new Date(clock.ms),
    advance(ms: number) {
      clock.ms += ms
    },
  }
  return clock
}

export function memoryStore(clock: { ms: number }) {
  const store = createMemoryServerEventStore(() => clock.ms)
  stores.push(store)
  return store
}

/** A worker for the harness's gateway, stopped after the test; jitter draws 0 unless told. */
export function worker(
  harness: Pick<Harness, 'url'>,
  store: ServerEventStore,
  options: Partial<ExportWorkerOptions> = {},
): ExportWorker {
  const made = createExportWorker({
    store,
    gatewayUrl: harness.url,
    instanceId,
    instanceKey,
    random: () => 0,
    ...options,
  })
  workers.push(made)
  return made
}

/** A Response a fault answers with. */
export function answer(
  status: number,
  body: unknown = { error: { code: 'busy', message: 'try later' } },
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}
