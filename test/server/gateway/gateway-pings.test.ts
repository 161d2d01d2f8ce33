import { afterEach, describe, expect, it } from 'vitest'
import { maxPingBytes, type Ping } from '../../../src/protocol/ping.js'
import { createAuthThrottle } from '../../../src/server/auth-throttle.js'
import { createGateway, type GatewayOptions } from '../../../src/server/gateway/gateway.js'
import type { GatewayStore } from '../../../src/server/gateway/gateway-store.js'
import { openTemporaryGatewayStore } from '../../../src/server/gateway/temporary-gateway-store.js'
import { samplePing } from '../../support/gateway-data.js'

const keys = new Map([
  ['acme', 'acme-key-0123456789'],
  ['globex', 'globex-key-0123456789'],
])
const adminKey = 'admin-key-0123456789'

const stores: GatewayStore[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
})

async function gateway(options: Partial<GatewayOptions> = {}) {
  const store = await openTemporaryGatewayStore()
  stores.push(store)
  const app = createGateway({ store, instanceKeys: keys, adminKey, ...options })
  return { app, store }
}

type App = Awaited<ReturnType<typeof gateway>>['app']

function postPing(
  app: App,
  body: unknown,
  headers: Record<string, string> = {},
  instance = 'acme',
) {
  return app.request('/v1/pings', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${keys.get(instance) ?? ''}`,
      'x-tally-instance': instance,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function listPings(app: App, query: string, key: string | null) {
  const response = await app.request(`/v1/pings?${query}`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  })
  return {
    status: response.status,
    body: (await response.json()) as { pings?: Ping[]; error?: { code: string } },
  }
}

describe('gateway: POST /v1/pings', () => {
  it('stores a ping and acknowledges its id', async () => {
    const { app, store } = await gateway()
    const ping = samplePing('acme', '2026-11-26')
    const response = await postPing(app, ping)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accepted: [ping.id], rejected: [] })
    expect((await store.pings('acme')).map(entry => entry.ping)).toEqual([ping])
  })

  it('accepts a resend again and keeps one ping per (instance, day), the first', async () => {
    const { app, store } = await gateway()
    const ping = samplePing('acme', '2026-11-26', { dau: 2, wau: 2, mau: 2 })
    await postPing(app, ping)
    const again = await postPing(app, { ...ping, dau: 1 })
    expect(await again.json()).toEqual({ accepted: [ping.id], rejected: [] })
    expect((await store.pings('acme')).map(entry => entry.ping.dau)).toEqual([2])
  })

  it("refuses, for good, a ping naming another instance than the key's, storing nothing", async () => {
    const { app, store } = await gateway()
    const ping = samplePing('globex', '2026-11-26')
    const response = await postPing(app, ping)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      accepted: [],
      rejected: [
        { id: ping.id, reason: expect.stringMatching(/^ping\.instance: globex/) as string },
      ],
    })
    expect(await store.pings('globex')).toEqual([])
    expect(await store.instances()).toEqual([])
  })

  it.each<[string, unknown, RegExp]>([
    ['text that is not JSON', '{"id": ', /not JSON/],
    ['an array', [], /ping: must be an object/],
    ['a missing field', { ...samplePing('acme', '2026-11-26'), dau: undefined }, /ping\.dau/],
    ['an extra field', { ...samplePing('acme', '2026-11-26'), user: 'alice' }, /ping\.user/],
    ['an id not derived from it', { ...samplePing('acme', '2026-11-26'), id: 'x' }, /ping\.id/],
    ['a day that is no day', samplePing('acme', '2026-02-30'), /ping\.day/],
    ['a string where a count goes', { ...samplePing('acme', '2026-11-26'), mau: '8' }, /ping\.mau/],
    [
      'a feature name that breaks the name rule',
      samplePing('acme', '2026-11-26', {
        features: [
          {
            feature: 'user alice@example.com',
            action: 'x',
            day: { events: 1, users: 1 },
            month: { events: 1, users: 1 },
          },
        ],
      }),
      /ping\.features\[0\]\.feature/,
    ],
  ])('answers 400 with a reason for %s, storing nothing', async (_name, body, reason) => {
    const { app, store } = await gateway()
    const response = await postPing(app, body)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { code: 'invalid-body', message: expect.stringMatching(reason) as string },
    })
    expect(await store.instances()).toEqual([])
  })

  it('answers 413 for a body past maxPingBytes, before parsing it', async () => {
    const { app } = await gateway()
    const response = await postPing(app, `{"id":"${'x'.repeat(maxPingBytes)}"}`)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: { code: 'payload-too-large' } })
  })

  it('answers 415 for a body not declared JSON', async () => {
    const { app } = await gateway()
    const response = await postPing(app, samplePing('acme', '2026-11-26'), {
      'content-type': 'text/plain',
    })
    expect(response.status).toBe(415)
  })

  it.each([
    ['no authorization', { authorization: '' }],
    ['the key of another instance', { authorization: `Bearer ${keys.get('globex') ?? ''}` }],
    ['an unknown instance', { 'x-tally-instance': 'initech' }],
    ['the admin key', { authorization: `Bearer ${adminKey}` }],
  ])('answers 401 for %s', async (_name, headers) => {
    const { app, store } = await gateway()
    const response = await postPing(app, samplePing('acme', '2026-11-26'), headers)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await store.pings('acme')).toEqual([])
  })
})

describe('gateway: GET /v1/pings', () => {
  it("lists an instance's pings oldest first, for its key or the admin key", async () => {
    const { app } = await gateway()
    const days = ['2026-11-25', '2026-11-23', '2026-11-24']
    for (const day of days) await postPing(app, samplePing('acme', day))
    await postPing(app, samplePing('globex', '2026-11-23'), {}, 'globex')
    for (const key of [keys.get('acme') ?? '', adminKey]) {
      const { status, body } = await listPings(app, 'instance=acme', key)
      expect(status).toBe(200)
      expect(body.pings).toEqual([...days].sort().map(day => samplePing('acme', day)))
    }
  })

  it.each([
    ['no key', null],
    ['a wrong key', 'not-the-key-0123456789'],
    ["another instance's key", keys.get('globex') ?? null],
  ])('answers 401 for %s', async (_name, key) => {
    const { app } = await gateway()
    await postPing(app, samplePing('acme', '2026-11-25'))
    const { status, body } = await listPings(app, 'instance=acme', key)
    expect(status).toBe(401)
    expect(body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) as string } })
  })

  it('answers 400 without an instance, or with one that is no instance id', async () => {
    const { app } = await gateway()
    expect((await listPings(app, '', adminKey)).status).toBe(400)
    expect((await listPings(app, 'instance=../acme', adminKey)).status).toBe(400)
  })

  it('answers an empty list for an instance that sent none', async () => {
    const { app } = await gateway()
    expect((await listPings(app, 'instance=globex', adminKey)).body).toEqual({
      instance: 'globex',
      pings: [],
    })
  })
})

describe('gateway: guessing keys on the ping routes', () => {
  it('makes an address wait once past five free wrong keys, on writes and reads alike', async () => {
    let ms = Date.parse('2026-11-27T12:00:00Z')
    const throttle = createAuthThrottle({ now: () => ms })
    const { app } = await gateway({ authThrottle: throttle })
    const wrong = { authorization: 'Bearer not-the-key-0123456789' }
    const statuses: number[] = []
    for (let n = 0; n < 3; n++) {
      statuses.push((await postPing(app, samplePing('acme', '2026-11-26'), wrong)).status)
      statuses.push((await listPings(app, 'instance=acme', 'not-the-key-0123456789')).status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401])
    // The right key waits too while the address does, so the wait is no oracle.
    const refused = await postPing(app, samplePing('acme', '2026-11-26'))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    ms += 60_000
    expect((await postPing(app, samplePing('acme', '2026-11-26'))).status).toBe(200)
  })
})
