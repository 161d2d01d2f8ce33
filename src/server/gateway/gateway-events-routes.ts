import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { acknowledgement } from '../../protocol/answers.js'
import type { ExportedEvent } from '../../protocol/export-redaction.js'
import { decodeBatch } from '../../protocol/wire.js'
import { checkExportedEvent } from './check-exported-event.js'
import { fail } from './gateway-answers.js'
import {
  authorizeRead,
  instanceHeader,
  requireInstance,
  type InstanceKeys,
} from './gateway-auth.js'
import type { GatewayStore } from './gateway-store.js'

/** Path of the events an instance exports. */
export const gatewayEventsPath = '/v1/events'

export interface EventsRoutesOptions {
  store: GatewayStore
  instanceKeys: InstanceKeys
  adminKey: string | undefined
  maxBodyBytes: number
  maxBatchEvents: number
  maxEventBytes: number
  defaultListLimit: number
  maxListLimit: number
  now: () => Date
}

/**
 * `POST /v1/events`: an instance's batch, every event judged alone and acknowledged, stored or
 * refused. `GET /v1/events?instance=&limit=`: what an instance sent, newest last.
 */
export function addEventsRoutes(app: Hono, options: EventsRoutesOptions): void {
  const { store, instanceKeys, maxBodyBytes, maxBatchEvents, maxEventBytes, now } = options

  app.post(
    gatewayEventsPath,
    requireInstance(instanceKeys),
    async (c, next) => {
      const type = c.req.header('content-type') ?? ''
      if (!/^application\/json\s*(?:;|$)/i.test(type)) {
        return fail(c, 415, 'unsupported-media-type', 'the body must be application/json')
      }
      await next()
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: c => fail(c, 413, 'payload-too-large', `the body exceeds ${maxBodyBytes} bytes`),
    }),
    async c => {
      const instance = c.req.header(instanceHeader) as string
      const decoded = decodeBatch(await c.req.text())
      if (!decoded.ok) return fail(c, 400, 'invalid-body', decoded.reason)
      const { events } = decoded.batch
      if (events.length > maxBatchEvents) {
        return fail(
          c,
          413,
          'too-many-events',
          `${events.length} events in one batch; the limit is ${maxBatchEvents}`,
        )
      }

      // Each id is judged once per batch; a valid copy wins over an invalid one of the same id.
      const accepted = new Map<string, ExportedEvent>()
      const rejected = new Map<string, string>()
      for (const raw of events) {
        if (accepted.has(raw.id)) continue
        const check = checkExportedEvent(raw, maxEventBytes)
        if (check.ok) {
          accepted.set(raw.id, check.event)
          rejected.delete(raw.id)
        } else if (!rejected.has(raw.id)) {
          rejected.set(raw.id, check.reason)
        }
      }
      await store.insert(instance, [...accepted.values()], now())
      return c.json(
        acknowledgement(
          [...accepted.keys()],
          [...rejected].map(([id, reason]) => ({ id, reason })),
        ),
      )
    },
  )

  app.get(gatewayEventsPath, async c => {
    const read = authorizeRead(c, instanceKeys, options.adminKey)
    if ('refused' in read) return read.refused
    const { instance } = read
    const limitText = c.req.query('limit')
    const limit = limitText === undefined ? options.defaultListLimit : Number(limitText)
    if (!/^\d+$/.test(limitText ?? '0') || limit < 1 || limit > options.maxListLimit) {
      return fail(
        c,
        400,
        'invalid-query',
        `limit must be a whole number from 1 to ${options.maxListLimit}`,
      )
    }
    const [records, total] = await Promise.all([store.list(instance, limit), store.count(instance)])
    return c.json({
      instance,
      total,
      events: records.map(record => ({
        id: record.id,
        receivedAt: record.receivedAt.toISOString(),
        event: record.event,
      })),
    })
  })
}
