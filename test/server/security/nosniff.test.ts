import { describe, expect, it } from 'vitest'
import { createTelemetryHandler } from '../../../src/server/handler.js'
import { startGateway } from '../../../src/server/gateway/start-gateway.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'
import {
  adminToken,
  demoCookie,
  eventToken,
  oneEventBatch,
  sendRaw,
  startInstance,
  type SendOptions,
} from './instance.js'

const json = { 'content-type': 'application/json' }
const form = {
  'content-type': 'application/x-www-form-urlencoded',
  'sec-fetch-site': 'same-origin',
}
const bearer = { authorization: `Bearer ${eventToken}` }
const admin = { authorization: `Bearer ${adminToken}` }

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every answer of tally serve: pages, API, errors and 404s', async () => {
    const { send } = await startInstance({ corsOrigins: ['https://app.example'] })
    const requests: [string, SendOptions][] = [
      ['/', {}],
      ['/demo/app.js', {}],
      ['/demo/missing.js', {}],
      ['/demo/session', { headers: { cookie: demoCookie() } }],
      ['/demo/sign-in', { method: 'POST', headers: form, body: 'user=alice' }],
      ['/demo/sign-out', { method: 'POST', headers: form }],
      ['/.api/telemetry/config', {}],
      ['/.api/telemetry/events', { method: 'OPTIONS', headers: { origin: 'https://app.example' } }],
      [
        '/.api/telemetry/events',
        { method: 'OPTIONS', headers: { origin: 'https://evil.example' } },
      ],
      [
        '/.api/telemetry/events',
        { method: 'POST', headers: { ...json, ...bearer }, body: oneEventBatch() },
      ],
      ['/.api/telemetry/events', { method: 'POST', headers: json, body: oneEventBatch() }],
      [
        '/.api/telemetry/events',
        { method: 'POST', headers: { ...bearer, 'content-type': 'text/html' } },
      ],
      ['/.api/telemetry/events', { method: 'POST', headers: { ...json, ...bearer }, body: '{' }],
      [
        '/.api/telemetry/events',
        { method: 'POST', headers: { ...json, ...bearer }, body: 'x'.repeat(2 * 1024 * 1024) },
      ],
      [
        '/.api/telemetry/events',
        {
          method: 'POST',
          headers: { ...json, cookie: demoCookie(), origin: 'https://evil.example' },
          body: oneEventBatch(),
        },
      ],
      ['/metrics', {}],
      ['/admin', {}],
      ['/admin', { headers: admin }],
      ['/admin/sign-in', { method: 'POST', headers: form, body: `token=${adminToken}` }],
      ['/admin/sign-in', { method: 'POST', headers: form, body: 'token=wrong' }],
      ['/admin/api/status', {}],
      ['/admin/api/status', { headers: admin }],
      ['/admin/api/preview?limit=0', { headers: admin }],
      ['/admin/api/nothing', { headers: admin }],
      ['/admin/nothing', { headers: admin }],
      ['/nowhere', {}],
      ['/', { headers: { host: 'evil.example' } }],
    ]
    const statuses = new Set<number>()
    for (const [path, options] of requests) {
      const answer = await send(path, options)
      statuses.add(answer.status)
      expect(answer.headers['x-content-type-options'], `${options.method ?? 'GET'} ${path}`).toBe(
        'nosniff',
      )
    }
    // The table reaches successes, redirects, refusals and errors alike.
    expect([...statuses].sort()).toEqual(
      expect.arrayContaining([200, 204, 303, 400, 401, 403, 404, 413, 415]),
    )
  })

  it('is on the answer to an internal error', async () => {
    const handler = createTelemetryHandler({
      store: createMemoryServerEventStore(),
      authenticate: () => undefined,
      metrics: () => {
        throw new Error('the export worker broke')
      },
    })
    const answer = await handler.request('/metrics')
    expect(answer.status).toBe(500)
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('is on every answer of the gateway', async () => {
    const gateway = await startGateway({
      port: 0,
      instanceKeys: new Map([['a', 'key-a-0123456789']]),
    })
    try {
      const key = { authorization: 'Bearer key-a-0123456789', 'x-tally-instance': 'a' }
      const requests: [string, SendOptions][] = [
        ['/v1/events', { method: 'POST', headers: { ...json, ...key }, body: oneEventBatch() }],
        ['/v1/events', { method: 'POST', headers: { ...key, 'content-type': 'text/plain' } }],
        ['/v1/events', { method: 'POST', headers: json }],
        ['/v1/events?instance=a', { headers: key }],
        ['/v1/events', {}],
        ['/elsewhere', {}],
      ]
      for (const [path, options] of requests) {
        const answer = await sendRaw(gateway.url + path, options)
        expect(answer.headers['x-content-type-options'], `${answer.status} ${path}`).toBe('nosniff')
      }
    } finally {
      await gateway.close()
    }
  })
})
