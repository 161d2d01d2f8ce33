import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { checkPing, type Ping } from '../../../src/protocol/ping.js'

export const instanceId = 'acme'
export const instanceKey = 'acme-key-0123456789'

export interface ReceivedPing {
  headers: Headers
  body: string
}

/**
 * A small gateway for the pings alone: checks the instance's key, acknowledges each valid
 * ping by its id (a refusal with checkPing's reason for an invalid one), and answers the
 * `faults` queued instead, one per request.
 */
export function fakePingGateway() {
  const received: ReceivedPing[] = []
  const faults: (() => Response)[] = []
  const app = new Hono()
  app.post('/v1/pings', async c => {
    const body = await c.req.text()
    received.push({ headers: c.req.raw.headers, body })
    const fault = faults.shift()
    if (fault) return fault()
    if (
      c.req.header('authorization') !== `Bearer ${instanceKey}` ||
      c.req.header('x-tally-instance') !== instanceId
    ) {
      return c.json({ error: { code: 'unauthenticated', message: 'no' } }, 401)
    }
    const value = JSON.parse(body) as { id?: unknown }
    const checked = checkPing(value)
    return checked.ok
      ? c.json({ accepted: [checked.ping.id], rejected: [] })
      : c.json({ accepted: [], rejected: [{ id: String(value.id), reason: checked.reason }] })
  })
  return {
    app,
    received,
    faults,
    /** The pings received, parsed, in order. */
    pings: () => received.map(request => JSON.parse(request.body) as Ping),
  }
}

/** Serves `app` on 127.0.0.1, port 0; resolves with its URL and a close. */
export async function listen(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>(resolve => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    )
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
