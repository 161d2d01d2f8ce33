import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { acknowledgement } from '../../protocol/answers.js'
import { checkPing, gatewayPingsPath, maxPingBytes } from '../../protocol/ping.js'
import { fail } from './gateway-answers.js'
import {
  authorizeRead,
  instanceHeader,
  requireInstance,
  type InstanceKeys,
} from './gateway-auth.js'
import type { GatewayStore } from './gateway-store.js'

export interface PingsRoutesOptions {
  store: GatewayStore
  instanceKeys: InstanceKeys
  adminKey: string | undefined
  now: () => Date
}

/**
 * `POST /v1/pings`: an instance's daily ping, plain JSON of at most `maxPingBytes`, checked
 * whole (`checkPing`) and stored once per (instance, day); acknowledged as events are, so that
 * a resend is accepted again and a ping naming another instance is refused for good.
 * `GET /v1/pings?instance=`: the instance's pings, oldest first.
 */
export function addPingsRoutes(app: Hono, options: PingsRoutesOptions): void {
  const { store, instanceKeys, now } = options

  app.post(
    gatewayPingsPath,
    requireInstance(instanceKeys),
    async (c, next) => {
      const type = c.req.header('content-type') ?? ''
      if (!/^application\/json\s*(?:;|$)/i.test(type)) {
        return fail(c, 415, 'unsupported-media-type', 'the body must be application/json')
      }
      await next()
    },
    bodyLimit({
      maxSize: maxPingBytes,
      onError: c => fail(c, 413, 'payload-too-large', `a ping is at most ${maxPingBytes} bytes`),
    }),
    async c => {
      const instance = c.req.header(instanceHeader) as string
      let value: unknown
      try {
        value = JSON.parse(await c.req.text())
      } catch {
        return fail(c, 400, 'invalid-body', 'the body is not JSON')
      }
      const check = checkPing(value)
      if (!check.ok) return fail(c, 400, 'invalid-body', check.reason)
      const { ping } = check
      if (ping.instance !== instance) {
        // Well formed but not this key's to send: never stored, and never worth a retry.
        const reason = `ping.instance: ${ping.instance} is not the instance the key belongs to`
        return c.json(acknowledgement([], [{ id: ping.id, reason }]))
      }
      await store.insertPing(ping, now())
      return c.json(acknowledgement([ping.id], []))
    },
  )

  app.get(gatewayPingsPath, async c => {
    const read = authorizeRead(c, instanceKeys, options.adminKey)
    if ('refused' in read) return read.refused
    const stored = await store.pings(read.instance)
    return c.json({ instance: read.instance, pings: stored.map(entry => entry.ping) })
  })
}
