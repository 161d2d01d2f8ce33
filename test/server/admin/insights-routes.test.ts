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

const adminToken = 'admin-token-0123456789abcdef'
const bearer = { authorization: `Bearer ${adminToken}` }
/** "Now" for the routes: 2026-08-15 at 23:30 UTC, inside the planted history. */
const now = () => new Date(Date.UTC(2026, 7, 15, 23, 30))

const directories: string[] = []
const stores: ServerEventStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map(store => store.close()))
  await Promise.all(directories.splice(0).map(dir => rm(dir, { recursive: true, force: true })))
})

/** The admin routes over a SQLite store holding the planted history. */
async function setup() {
  const directory = await mkdtemp(join(tmpdir(), 'tally-insights-'))
  directories.push(directory)
  const store = openSqliteStore({ path: join(directory, 'tally.db') })
  stores.push(store)
  await store.migrate()
  await importIntoStore(store, plantHistory().map(importLine))
  const app = new Hono()
  app.route('/admin', createAdminRoutes({ adminToken, exportMode: 'off', store, now }))
  const get = async (path: string, headers: Record<string, string> = bearer) => {
    const response = await app.request(`/admin/api/insights/${path}`, { headers })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return { get }
}

describe('the insights API', () => {
  it('answers only the admin', async () => {
    const { get } = await setup()
    expect((await get('active-users', {})).status).toBe(401)
    expect(
      (await get('active-users', { authorization: 'Bearer wrong-token-0123456789' })).status,
    ).toBe(401)
  })

  it('answers each question as JSON, with the shape the API promises', async () => {
    const { get } = await setup()
    const answers = await Promise.all(
      [
        'events?feature=search&where=durationMs:50',
        'active-users?at=2026-08-01',
        'power-users?at=2026-08-01&minDays=5',
        'sessions?from=2026-07-01&to=2026-07-31',
        'features',
        'at-risk?at=2026-08-01',
        'lifecycle?weeks=4',
        'retention?at=2026-08-01&weeks=3',
      ].map(path => get(path)),
    )
    expect(answers.map(answer => answer.status)).toEqual(Array(8).fill(200))
    const [filtered, active, power, sessions, features, atRisk, lifecycle, retention] = answers.map(
      answer => answer.body,
    )
    expect(Object.keys(filtered ?? {})).toEqual(['events', 'users', 'coverage'])
    expect(filtered?.events).toBeGreaterThan(0)
    // durationMs:50 is no flag (0 or 1): read from the raw events, which say since when.
    expect(filtered?.coverage).toMatchObject({ source: 'events' })
    expect(Object.keys(filtered?.coverage ?? {})).toEqual(['source', 'since'])
    expect(active).toMatchObject({ at: '2026-08-01' })
    expect(Object.keys(active ?? {})).toEqual(['at', 'dau', 'wau', 'mau', 'stickiness'])
    expect(power?.histogram).toHaveLength(30)
    expect(Object.keys(sessions ?? {})).toEqual(['sessions', 'multiFeature'])
    expect(Object.keys(features ?? {})).toEqual(['activeUsers', 'features'])
    expect(Array.isArray(atRisk?.users)).toBe(true)
    expect(lifecycle?.weeks).toHaveLength(4)
    expect((retention?.cohorts as unknown[]).map(c => (c as { start: string }).start)).toEqual([
      '2026-07-12',
      '2026-07-19',
      '2026-07-26',
    ])
  })

  it('takes today (UTC) for at, and the 30 days ending today for from and to', async () => {
    const { get } = await setup()
    expect((await get('active-users')).body).toEqual((await get('active-users?at=2026-08-15')).body)
    expect((await get('features')).body).toEqual(
      (await get('features?from=2026-07-17&to=2026-08-15')).body,
    )
    const lifecycle = (await get('lifecycle?weeks=1')).body as { weeks: { start: string }[] }
    expect(lifecycle.weeks.map(week => week.start)).toEqual(['2026-08-09'])
  })

  it.each([
    ['active-users?at=2026-02-30', 'at must be a date YYYY-MM-DD from 2000 to 2099'],
    ['active-users?at=yesterday', 'at must be a date YYYY-MM-DD from 2000 to 2099'],
    ['features?from=2026-08-02&to=2026-08-01', 'from must be on or before to'],
    ['sessions?from=2025-01-01&to=2026-08-01', 'from … to must span at most 400 days'],
    ['power-users?minDays=0', 'minDays must be a whole number from 1 to 30'],
    ['power-users?minDays=31', 'minDays must be a whole number from 1 to 30'],
    ['lifecycle?weeks=53', 'weeks must be a whole number from 1 to 52'],
    ['retention?weeks=1.5', 'weeks must be a whole number from 1 to 52'],
    [
      'events?where=durationMs',
      'where must be KEY:VALUE, a metadata key and a finite number (durationMs:250)',
    ],
    [
      'events?where=durationMs:Infinity',
      'where must be KEY:VALUE, a metadata key and a finite number (durationMs:250)',
    ],
    [
      'events?where=__proto__%20x:1',
      'where must be KEY:VALUE, a metadata key and a finite number (durationMs:250)',
    ],
    ['events?feature=Search', 'feature must be a name such as search or blob.codeintel'],
    ['events?user=-1', 'user must be a whole number from 1 to 999999999'],
  ])('refuses %s with a 400 naming the parameter', async (path, message) => {
    const { get } = await setup()
    expect(await get(path)).toEqual({
      status: 400,
      body: { error: { code: 'bad-request', message } },
    })
  })

  it('is not there when the store keeps no insights', async () => {
    const app = new Hono()
    app.route(
      '/admin',
      createAdminRoutes({ adminToken, exportMode: 'off', store: memoryStore({ ms: 0 }) }),
    )
    const response = await app.request('/admin/api/insights/active-users', { headers: bearer })
    expect(response.status).toBe(404)
  })
})
