import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdminRoutes } from '../../../src/server/admin/admin-routes.js'
import { importIntoStore } from '../../../src/server/commands/import.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { importLine, plantHistory } from '../../contract/insights-history.js'
import { memoryStore } from '../export/harness.js'
import { byTestId, one, text } from './page-query.js'

const adminToken = 'admin-token-0123456789abcdef'
const bearer = { authorization: `Bearer ${adminToken}` }
/** "Now": 2026-08-15 at 23:30 UTC, inside the planted history (2026-06-01 … 2026-09-28). */
const now = () => new Date(Date.UTC(2026, 7, 15, 23, 30))

const directories: string[] = []
const stores: ServerEventStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map(store => store.close()))
  await Promise.all(directories.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
})

/** The admin routes over a SQLite store holding the planted history. */
async function setup() {
  const directory = await mkdtemp(join(tmpdir(), 'tally-usage-'))
  directories.push(directory)
  const store = openSqliteStore({ path: join(directory, 'tally.db') })
  stores.push(store)
  await store.migrate()
  await importIntoStore(store, plantHistory().map(importLine))
  const app = new Hono()
  app.route('/admin', createAdminRoutes({ adminToken, exportMode: 'off', store, now }))
  const page = async (path: string) => {
    const response = await app.request(`/admin/${path}`, { headers: bearer })
    return { status: response.status, body: await response.text(), headers: response.headers }
  }
  const api = async <T>(path: string): Promise<T> => {
    const response = await app.request(`/admin/api/insights/${path}`, { headers: bearer })
    expect(response.status).toBe(200)
    return (await response.json()) as T
  }
  return { app, page, api }
}

const figure = (markup: string, id: string) => text(one(markup, id).inner).trim()
const numberOf = (markup: string, id: string) => Number(figure(markup, id))
const dataValues = (markup: string, attribute: string) =>
  [...markup.matchAll(new RegExp(`${attribute}="([^"]*)"`, 'g'))].map(match => Number(match[1]))

interface Feature {
  feature: string
  events: number
  users: number
  activeDaysPerUser: number
}

describe('the usage page', () => {
  it('shows the figures the insights API answers for the default 30 days', async () => {
    const { page, api } = await setup()
    const { status, body } = await page('usage')
    expect(status).toBe(200)
    const today = '2026-08-15'
    const from = '2026-07-17'

    const active = await api<{ dau: number; wau: number; mau: number; stickiness: number }>(
      `active-users?at=${today}`,
    )
    expect(active.mau).toBeGreaterThan(0)
    expect([numberOf(body, 'dau'), numberOf(body, 'wau'), numberOf(body, 'mau')]).toEqual([
      active.dau,
      active.wau,
      active.mau,
    ])
    expect(figure(body, 'stickiness')).toBe(`${(active.stickiness * 100).toFixed(1)}%`)

    const power = await api<{ powerUsers: number; histogram: { users: number }[] }>(
      `power-users?at=${today}`,
    )
    expect(numberOf(body, 'power-users')).toBe(power.powerUsers)
    const histogram = one(body, 'histogram-chart').inner
    expect(dataValues(histogram, 'data-value')).toEqual(power.histogram.map(entry => entry.users))

    const sessions = await api<{ sessions: number; multiFeature: number }>(
      `sessions?from=${from}&to=${today}`,
    )
    expect(sessions.multiFeature).toBeGreaterThan(0)
    expect([numberOf(body, 'sessions'), numberOf(body, 'multi-feature')]).toEqual([
      sessions.sessions,
      sessions.multiFeature,
    ])

    const features = await api<{ activeUsers: number; features: Feature[] }>(
      `features?from=${from}&to=${today}`,
    )
    expect(numberOf(body, 'features-active-users')).toBe(features.activeUsers)
    const rows = byTestId(body, 'feature-row').map(row => ({
      feature: row.attributes['data-feature'],
      events: numberOf(row.inner, 'feature-events'),
      users: numberOf(row.inner, 'feature-users'),
      activeDaysPerUser: numberOf(row.inner, 'feature-active-days'),
    }))
    expect(rows).toEqual(
      features.features.map(usage => ({
        ...usage,
        activeDaysPerUser: Math.round(usage.activeDaysPerUser * 100) / 100,
      })),
    )
    const previous = await api<{ features: Feature[] }>(`features?from=2026-06-17&to=2026-07-16`)
    const before = new Map(previous.features.map(usage => [usage.feature, usage.events]))
    expect(features.features.every(usage => before.has(usage.feature))).toBe(true)
    expect(
      byTestId(body, 'feature-trend').map(trend => Number(trend.attributes['data-value'])),
    ).toEqual(features.features.map(usage => usage.events - (before.get(usage.feature) ?? 0)))

    const lifecycle = await api<{ weeks: Record<string, number>[] }>(
      `lifecycle?at=${today}&weeks=5`,
    )
    const chart = one(body, 'lifecycle-chart').inner
    expect(dataValues(chart, 'data-value')).toEqual(
      lifecycle.weeks.flatMap(week => [week.new, week.returning, week.resurrecting, week.dormant]),
    )

    const retention = await api<{ cohorts: { start: string; size: number; active: number[] }[] }>(
      `retention?at=${today}&weeks=5`,
    )
    expect(
      byTestId(body, 'retention-row').map(row => ({
        start: row.attributes['data-start'],
        size: numberOf(row.inner, 'retention-size'),
        active: dataValues(row.inner, 'data-value'),
      })),
    ).toEqual(retention.cohorts)

    const atRisk = await api<{ users: { userId: number }[] }>(`at-risk?at=${today}`)
    expect(byTestId(body, 'at-risk-row').map(row => Number(row.attributes['data-user']))).toEqual(
      atRisk.users.map(user => user.userId),
    )
  })

  it('draws a point a day for the window chosen, and says the window and when it was computed', async () => {
    const { page, api } = await setup()
    for (const window of [7, 30, 90]) {
      const { body } = await page(`usage?window=${window}`)
      expect(figure(body, 'window-current')).toBe(`last ${window} days`)
      const chart = one(body, 'active-users-chart').inner
      expect(chart.match(/<circle/g)).toHaveLength(3 * window)
      expect(figure(body, 'computed-at')).toBe('2026-08-15 23:30:00 UTC')
      expect(figure(body, 'sessions-window')).toMatch(/ … 2026-08-15$/)
    }
    const { body } = await page('usage?window=7')
    const first = await api<{ dau: number; wau: number; mau: number }>('active-users?at=2026-08-09')
    const points = dataValues(one(body, 'active-users-chart').inner, 'data-point')
    // The series run dau, wau, mau, 7 points each, oldest first.
    expect([points[0], points[7], points[14]]).toEqual([first.dau, first.wau, first.mau])
  })

  it('answers the explorer as the events question, in total and per bucket', async () => {
    const { page, api } = await setup()
    const query = 'feature=search&user=3&from=2026-07-01&to=2026-08-15'
    const { status, body } = await page(`usage?${query}&group=week`)
    expect(status).toBe(200)
    const total = await api<{ events: number; users: number }>(`events?${query}`)
    expect(total.events).toBeGreaterThan(0)
    expect([numberOf(body, 'explorer-events'), numberOf(body, 'explorer-users')]).toEqual([
      total.events,
      total.users,
    ])
    const rows = byTestId(body, 'explorer-row')
    // 2026-07-01 is a Wednesday: its week is clipped to Wed … Sun, then Monday to Sunday.
    expect(rows[0]?.attributes).toMatchObject({
      'data-from': '2026-07-01',
      'data-to': '2026-07-05',
    })
    expect(rows[1]?.attributes).toMatchObject({
      'data-from': '2026-07-06',
      'data-to': '2026-07-12',
    })
    expect(rows.at(-1)?.attributes['data-to']).toBe('2026-08-15')
    let sum = 0
    for (const row of rows) {
      const { 'data-from': from = '', 'data-to': to = '' } = row.attributes
      const answer = await api<{ events: number }>(
        `events?feature=search&user=3&from=${from}&to=${to}`,
      )
      sum += answer.events
      expect(numberOf(row.inner, 'explorer-row-events')).toBe(answer.events)
    }
    expect(sum).toBe(total.events)
    expect(byTestId(one(body, 'explorer-chart').inner, 'y-axis')).toHaveLength(1)
  })

  it('filters the explorer by metadata and groups by month', async () => {
    const { page, api } = await setup()
    const query = 'where=durationMs:50&from=2026-06-15&to=2026-08-15'
    const { body } = await page(`usage?${query}&group=month`)
    const total = await api<{ events: number }>(`events?${query}`)
    expect(numberOf(body, 'explorer-events')).toBe(total.events)
    expect(byTestId(body, 'explorer-row').map(row => row.attributes['data-from'])).toEqual([
      '2026-06-15',
      '2026-07-01',
      '2026-08-01',
    ])
    expect(one(body, 'explorer-where').attributes.value).toBe('durationMs:50')
  })

  it("says what the explorer's counts were read from, and the days its source misses", async () => {
    const { page, api } = await setup()
    type Coverage = { coverage: { source: string; since: string } }
    const raw = 'where=durationMs:50&from=2026-06-15&to=2026-08-15'
    const rawAnswer = await api<Coverage>(`events?${raw}`)
    expect(rawAnswer.coverage.source).toBe('events')
    expect(figure((await page(`usage?${raw}&group=month`)).body, 'explorer-coverage')).toBe(
      `Read from the raw events, which hold events from ${rawAnswer.coverage.since} on.`,
    )
    const rolled = 'feature=search&from=2026-06-15&to=2026-08-15'
    const rolledAnswer = await api<Coverage>(`events?${rolled}`)
    expect(rolledAnswer.coverage.source).toBe('rollups')
    expect(figure((await page(`usage?${rolled}&group=month`)).body, 'explorer-coverage')).toBe(
      `Read from the daily rollups, which hold events from ${rolledAnswer.coverage.since} on.`,
    )
    // A window from before the first stored day: the page says those days are not counted.
    const early = await page('usage?feature=search&from=2026-05-01&to=2026-08-15&group=month')
    const note = one(early.body, 'explorer-coverage')
    expect(note.attributes.class).toBe('notice')
    expect(text(note.inner).trim()).toBe(
      `Read from the daily rollups, which hold events from ${rolledAnswer.coverage.since} on: the days before it are not counted.`,
    )
  })

  it('refuses what the API refuses, with the reason and status 400', async () => {
    const { page } = await setup()
    const badWindow = await page('usage?window=14')
    expect(badWindow.status).toBe(400)
    expect(figure(badWindow.body, 'usage-error')).toContain('window must be one of 7, 30, 90')
    const badWhere = await page('usage?where=nope')
    expect(badWhere.status).toBe(400)
    expect(figure(badWhere.body, 'explorer-error')).toContain('where must be KEY:VALUE')
    const tooMany = await page('usage?from=2026-01-01&to=2026-08-15&group=day')
    expect(tooMany.status).toBe(400)
    expect(figure(tooMany.body, 'explorer-error')).toContain('more than 100 bars')
  })

  it("links each user to their activity by feature, which equals the API's events", async () => {
    const { page, api } = await setup()
    const { body } = await page('usage?window=30')
    const atRisk = byTestId(body, 'at-risk-row')
    expect(atRisk.length).toBeGreaterThan(0)
    expect(atRisk[0]?.inner).toContain(
      `href="/admin/usage/users/${atRisk[0]?.attributes['data-user']}?window=30"`,
    )

    const user = await page('usage/users/3?window=90')
    expect(user.status).toBe(200)
    const rows = byTestId(user.body, 'user-feature-row')
    expect(rows.length).toBeGreaterThan(1)
    for (const row of rows) {
      const feature = row.attributes['data-feature'] ?? ''
      const answer = await api<{ events: number }>(
        `events?user=3&feature=${feature}&from=2026-05-18&to=2026-08-15`,
      )
      expect(numberOf(row.inner, 'user-feature-events')).toBe(answer.events)
      // Two clicks: the user, then the feature's month, prefilled in the explorer.
      expect(one(row.inner, 'user-feature-month').attributes.href).toBe(
        `/admin/usage?window=90&feature=${feature}&user=3&from=2026-08-01&to=2026-08-15#explorer`,
      )
    }
    // Two clicks to "this user's events with KEY:1 this month": the user, then the switch.
    const flags = byTestId(user.body, 'user-flag')
    expect(flags.length).toBeGreaterThan(0)
    for (const flag of flags) {
      const href = (/href="([^"]+)"/.exec(flag.inner)?.[1] ?? '').replaceAll('&amp;', '&')
      const query = new URL(href, 'http://x').searchParams
      expect(query.get('user')).toBe('3')
      expect(query.get('from')).toBe('2026-08-01')
      expect(query.get('where')).toMatch(/^[A-Za-z][A-Za-z0-9._-]*:1$/)
      const answer = await api<{ events: number }>(
        `events?user=3&feature=${query.get('feature') ?? ''}&action=${query.get('action') ?? ''}` +
          `&where=${query.get('where') ?? ''}&from=2026-08-01&to=2026-08-15`,
      )
      expect(flag.inner).toContain(`(${answer.events} this month)`)
      const explored = await page(href.replace('/admin/', '').replace('#explorer', ''))
      expect(numberOf(explored.body, 'explorer-events')).toBe(answer.events)
    }
    expect((await page('usage/users/abc')).status).toBe(400)
    expect((await page('usage/user?id=3&window=7')).headers.get('location')).toBe(
      '/admin/usage/users/3?window=7',
    )
  })

  it('is behind the admin sign-in, linked from the admin page, and keeps the CSP', async () => {
    const { app, page } = await setup()
    const anonymous = await app.request('/admin/usage')
    expect(anonymous.status).toBe(401)
    expect(await anonymous.text()).not.toContain('data-testid="dau"')
    const dashboard = await (await app.request('/admin', { headers: bearer })).text()
    expect(one(dashboard, 'usage-link').attributes.href).toBe('/admin/usage')
    const { body, headers } = await page('usage')
    expect(headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(body).not.toMatch(/<script|\sstyle=/i)
  })

  it('says so when the store keeps no insights', async () => {
    const app = new Hono()
    app.route(
      '/admin',
      createAdminRoutes({ adminToken, exportMode: 'off', store: memoryStore({ ms: 0 }), now }),
    )
    const response = await app.request('/admin/usage', { headers: bearer })
    expect(response.status).toBe(200)
    expect(figure(await response.text(), 'usage-unavailable')).toContain('keeps no usage insights')
  })
})
