import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAuthThrottle } from '../../../src/server/auth-throttle.js'
import { importIntoStore } from '../../../src/server/commands/import.js'
import { activeUsers } from '../../../src/server/insights/active-users.js'
import { createGateway } from '../../../src/server/gateway/gateway.js'
import { openTemporaryGatewayStore } from '../../../src/server/gateway/temporary-gateway-store.js'
import type { InsightsStore } from '../../../src/server/stores/insights-store.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { importLine, plantHistory } from '../../contract/insights-history.js'
import { createMemoryFleetSource } from '../../support/memory-ping-store.js'
import { dayOfText, dayText, makePing } from '../../support/pings.js'
import { byTestId, one, text } from '../admin/page-query.js'

const keys = new Map([
  ['acme', 'acme-key-0123456789'],
  ['globex', 'globex-key-0123456789'],
])
const adminKey = 'gateway-admin-key-0123456789'
const admin = { authorization: `Bearer ${adminKey}` }
const sameOrigin = { 'sec-fetch-site': 'same-origin' }
/** "Now": 2026-08-15 at 12:00 UTC, inside the planted event history (2026-06-01 … 2026-09-28). */
const now = () => new Date(Date.UTC(2026, 7, 15, 12))
const today = dayOfText('2026-08-15')

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** acme's weekly users on a day: falling by half over the last 28 days. */
const acmeWau = (day: number) => (day > today - 28 ? 20 : 60)

/**
 * A gateway with the fleet mounted: acme pings daily up to yesterday and has exported the
 * planted history (its insights), globex stopped pinging five days ago and exported nothing.
 */
async function setup(options: { maxFreeFailures?: number } = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'tally-fleet-'))
  const events: ServerEventStore = openSqliteStore({ path: join(directory, 'acme.db') })
  cleanups.push(() => rm(directory, { recursive: true, force: true }))
  cleanups.push(() => events.close())
  await events.migrate()
  await importIntoStore(events, plantHistory().map(importLine))
  const insights = events.insights as InsightsStore
  const source = createMemoryFleetSource(new Map([['acme', insights]]))
  for (let day = today - 100; day < today; day += 1) {
    const wau = acmeWau(day)
    await source.insertPing(
      makePing({
        instance: 'acme',
        day: dayText(day),
        version: '1.4.0',
        dau: wau / 4,
        wau,
        mau: wau * 2,
        features: { search: { events: 90, users: 30 }, notebook: { events: 8, users: 2 } },
      }),
      new Date((day + 1) * 86_400_000 + 3_600_000),
    )
  }
  for (let day = today - 40; day <= today - 5; day += 1) {
    await source.insertPing(
      makePing({
        instance: 'globex',
        day: dayText(day),
        version: '1.3.2',
        dau: 1,
        wau: 3,
        mau: 7,
        features: { search: { events: 10, users: 4 }, settings: { events: 0, users: 0 } },
      }),
      new Date((day + 1) * 86_400_000),
    )
  }
  const throttle = createAuthThrottle({
    maxFreeFailures: options.maxFreeFailures ?? 5,
    now: () => now().getTime(),
  })
  const gatewayStore = await openTemporaryGatewayStore()
  cleanups.push(() => gatewayStore.close())
  const app = createGateway({
    store: gatewayStore,
    instanceKeys: keys,
    adminKey,
    authThrottle: throttle,
    now,
    fleet: source,
  })
  const request = (path: string, init: RequestInit = {}) => app.request(path, init)
  const signIn = (token: string, headers: Record<string, string> = sameOrigin) =>
    request('/sign-in', { method: 'POST', body: new URLSearchParams({ token }), headers })
  return { request, signIn, insights }
}

function sessionCookie(response: Response): string {
  const value = /^tally_fleet=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1]
  if (value === undefined) throw new Error('no fleet cookie')
  return `tally_fleet=${value}`
}

interface FleetAnswer {
  at: string
  instances: {
    instance: string
    version: string
    lastPingDay: string
    dau: number
    wau: number
    mau: number
    stickiness: number
  }[]
  features: { feature: string; instances: number; users: number }[]
}

describe('GET /v1/fleet', () => {
  it('answers the admin key with the latest ping of each instance up to today', async () => {
    const { request } = await setup()
    const response = await request('/v1/fleet', { headers: admin })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      at: '2026-08-15',
      instances: [
        {
          instance: 'acme',
          version: '1.4.0',
          lastPingDay: '2026-08-14',
          dau: 5,
          wau: 20,
          mau: 40,
          stickiness: 5 / 40,
        },
        {
          instance: 'globex',
          version: '1.3.2',
          lastPingDay: '2026-08-10',
          dau: 1,
          wau: 3,
          mau: 7,
          stickiness: 1 / 7,
        },
      ],
      features: [
        { feature: 'search', instances: 2, users: 34 },
        { feature: 'notebook', instances: 1, users: 2 },
      ],
    } satisfies FleetAnswer)
  })

  it('answers for the day `at` names, and refuses one that is not a day, naming it', async () => {
    const { request } = await setup()
    const at = async (day: string) =>
      (
        (await (await request(`/v1/fleet?at=${day}`, { headers: admin })).json()) as FleetAnswer
      ).instances.map(entry => [entry.instance, entry.lastPingDay, entry.wau])
    expect(await at('2026-07-10')).toEqual([
      ['acme', '2026-07-10', 60],
      ['globex', '2026-07-10', 3],
    ])
    // globex's first ping is of 2026-07-06.
    expect(await at('2026-07-01')).toEqual([['acme', '2026-07-01', 60]])
    for (const at of ['2026-02-30', 'yesterday', '1999-12-31']) {
      const refused = await request(`/v1/fleet?at=${at}`, { headers: admin })
      expect(refused.status).toBe(400)
      const body = (await refused.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('invalid-query')
      expect(body.error.message).toMatch(/^at must be a date/)
    }
  })

  it('refuses no key, a wrong key and an instance’s own key', async () => {
    const { request } = await setup()
    for (const headers of [
      {},
      { authorization: 'Bearer not-the-admin-key-at-all' },
      { authorization: `Bearer ${keys.get('acme') ?? ''}`, 'x-tally-instance': 'acme' },
    ]) {
      const response = await request('/v1/fleet', { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(JSON.stringify(await response.json())).not.toContain('"instances"')
    }
  })

  it('answers a signed-in session, and stops at sign-out', async () => {
    const { request, signIn } = await setup()
    const wrong = await signIn('not-the-admin-key-at-all')
    expect(wrong.status).toBe(401)
    expect(text(one(await wrong.text(), 'sign-in-error').inner)).toMatch(/not this gateway/)

    const signedIn = await signIn(adminKey)
    expect(signedIn.status).toBe(303)
    expect(signedIn.headers.get('location')).toBe('/')
    expect(signedIn.headers.get('set-cookie')).toMatch(
      /HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/,
    )
    const cookie = sessionCookie(signedIn)
    expect((await request('/v1/fleet', { headers: { cookie } })).status).toBe(200)

    // The instance admin's cookie is not the fleet's, even under the same name's value.
    const value = cookie.slice('tally_fleet='.length)
    expect(
      (await request('/v1/fleet', { headers: { cookie: `tally_admin=${value}` } })).status,
    ).toBe(401)

    const out = await request('/sign-out', { method: 'POST', headers: { cookie, ...sameOrigin } })
    expect(out.status).toBe(303)
    expect((await request('/v1/fleet', { headers: { cookie } })).status).toBe(401)
  })

  it('refuses a sign-in posted from another site', async () => {
    const { signIn } = await setup()
    const response = await signIn(adminKey, { 'sec-fetch-site': 'cross-site' })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('makes a guesser wait, the right key included, once the free failures are spent', async () => {
    const { request, signIn } = await setup({ maxFreeFailures: 2 })
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(
        (await request('/v1/fleet', { headers: { authorization: 'Bearer wrong-key-0123456789' } }))
          .status,
      ).toBe(401)
    }
    const throttled = await request('/v1/fleet', { headers: admin })
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('1')
    expect((await signIn(adminKey)).status).toBe(429)
    // The pages' bearer uses share the wait: one credential.
    expect((await request('/', { headers: admin })).status).toBe(429)
  })
})

describe('the fleet page', () => {
  it('shows the sign-in form, under the strict CSP, to whoever is not signed in', async () => {
    const { request } = await setup()
    const response = await request('/')
    expect(response.status).toBe(200)
    const markup = await response.text()
    expect(markup).toContain('action="/sign-in"')
    expect(markup).not.toContain('data-testid="instances-table"')
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    expect(response.headers.get('cache-control')).toBe('no-store')
  })

  it('draws /v1/fleet’s figures, links each instance to its usage, and runs no script', async () => {
    const { request } = await setup()
    const answer = (await (await request('/v1/fleet', { headers: admin })).json()) as FleetAnswer
    const response = await request('/?window=30', { headers: admin })
    expect(response.status).toBe(200)
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/default-src 'none'/)
    expect(csp).not.toMatch(/script-src|unsafe-inline/)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    const markup = await response.text()
    expect(markup).not.toMatch(/<script|\son[a-z]+=/i)

    const rows = byTestId(markup, 'instance-row')
    expect(rows.map(row => row.attributes['data-instance'])).toEqual(
      answer.instances.map(entry => entry.instance),
    )
    for (const [index, entry] of answer.instances.entries()) {
      const row = rows[index]?.inner ?? ''
      const cell = (id: string) => text(one(row, id).inner).trim()
      expect(cell('instance-dau')).toBe(String(entry.dau))
      expect(cell('instance-wau')).toBe(String(entry.wau))
      expect(cell('instance-mau')).toBe(String(entry.mau))
      expect(cell('instance-version')).toBe(entry.version)
      expect(cell('instance-last-ping')).toBe(entry.lastPingDay)
      expect(cell('instance-stickiness')).toBe(`${(entry.stickiness * 100).toFixed(1)}%`)
      expect(one(row, 'instance-link').attributes.href).toBe(`/instances/${entry.instance}`)
    }
    const features = byTestId(markup, 'feature-row')
    expect(features.map(row => row.attributes['data-feature'])).toEqual(
      answer.features.map(entry => entry.feature),
    )
    for (const [index, entry] of answer.features.entries()) {
      const row = features[index]?.inner ?? ''
      expect(text(one(row, 'feature-instances').inner).trim()).toBe(String(entry.instances))
      expect(text(one(row, 'feature-users').inner).trim()).toBe(String(entry.users))
    }
    expect(text(one(markup, 'instance-count').inner)).toBe('2')
    expect(text(one(markup, 'reporting-count').inner)).toBe('1')
    // globex sent nothing of the last 5 days; acme's wau went from 60 to 20 in 28 days.
    expect(
      byTestId(markup, 'fell-row').map(row => [
        row.attributes['data-instance'],
        row.attributes['data-reason'],
      ]),
    ).toEqual([
      ['globex', 'quiet'],
      ['acme', 'declining'],
    ])
    expect(one(markup, 'computed-at').inner).toContain('2026-08-15 12:00:00 UTC')
    expect(text(one(markup, 'window-current').inner)).toBe('last 30 days')
  })

  it('charts the window’s days, ending yesterday, with the instances’ pings summed', async () => {
    const { request } = await setup()
    const markup = await (await request('/?window=7', { headers: admin })).text()
    const chart = one(markup, 'fleet-active-chart').inner
    const points = (series: string) =>
      [...chart.matchAll(/<g data-series="([a-z]+)">([\s\S]*?)<\/g>/g)]
        .filter(match => match[1] === series)
        .flatMap(match =>
          [...(match[2] ?? '').matchAll(/data-point="(\d+)"/g)].map(point => Number(point[1])),
        )
    // Days 2026-08-08 … 2026-08-14: globex pinged up to 2026-08-10 (wau 3), acme every day.
    const expectedWau = Array.from({ length: 7 }, (_, index) => {
      const day = today - 7 + index
      return acmeWau(day) + (day <= today - 5 ? 3 : 0)
    })
    expect(points('wau')).toEqual(expectedWau)
    expect(text(one(markup, 'active-users-window').inner)).toContain('2026-08-08 … 2026-08-14')
    expect((await request('/?window=12', { headers: admin })).status).toBe(400)
  })
})

describe('an instance’s usage page at the gateway', () => {
  it('draws the usage page over that instance’s insights, its links under /instances/<id>', async () => {
    const { request, insights } = await setup()
    const response = await request('/instances/acme?window=30', { headers: admin })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    const markup = await response.text()
    const active = await activeUsers(insights, { at: today })
    expect(text(one(markup, 'mau').inner).trim()).toBe(String(active.mau))
    expect(text(one(markup, 'dau').inner).trim()).toBe(String(active.dau))
    expect(markup).toContain('<a href="/">Fleet</a>')
    expect(markup).toContain('action="/instances/acme/user"')
    expect(markup).toContain('action="/instances/acme#explorer"')
    const userLinks = [...markup.matchAll(/href="(\/instances\/acme\/users\/\d+)\?window=30"/g)]
    expect(userLinks.length).toBeGreaterThan(0)
    const user = await request(userLinks[0]?.[1] ?? '', { headers: admin })
    expect(user.status).toBe(200)
    expect(await user.text()).toContain('data-testid="user-active-days"')
  })

  it('says so for an instance whose events it keeps no insights of, and 404s an unknown one', async () => {
    const { request } = await setup()
    const globex = await request('/instances/globex', { headers: admin })
    expect(globex.status).toBe(200)
    expect(await globex.text()).toContain('data-testid="usage-unavailable"')
    expect((await request('/instances/initech', { headers: admin })).status).toBe(404)
    expect((await request('/instances/..%2Facme', { headers: admin })).status).toBe(404)
    const anonymous = await request('/instances/acme')
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).toContain('action="/sign-in"')
  })
})
