import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createAdminRoutes } from '../../../src/server/admin/admin-routes.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { memoryStore, testClock } from '../export/harness.js'
import { byTestId, one, text } from './page-query.js'

const adminToken = 'admin-token-0123456789abcdef'
const bearer = { authorization: `Bearer ${adminToken}` }

function setup(notice?: () => string | undefined) {
  const clock = testClock()
  const app = new Hono()
  app.route(
    '/admin',
    createAdminRoutes({
      adminToken,
      exportMode: 'off',
      store: memoryStore(clock),
      now: clock.now,
      ...(notice === undefined ? {} : { notice }),
    }),
  )
  return async (headers: Record<string, string> = bearer) =>
    (await app.request('/admin', { headers })).text()
}

describe('the admin notice', () => {
  it('shows as a banner on the signed-in page, read at each request', async () => {
    const notice = 'Demo data: generated activity of 300 users (client tally-demo-data).'
    const shown: { notice?: string } = {}
    const page = setup(() => shown.notice)
    expect(byTestId(await page(), 'notice')).toEqual([])
    shown.notice = notice
    expect(text(one(await page(), 'notice').inner)).toBe(notice)
  })

  it('is written as text, never as markup', async () => {
    const page = setup(() => '<b>demo</b>')
    const markup = await page()
    expect(markup).toContain('&lt;b&gt;demo&lt;/b&gt;')
    expect(markup).not.toContain('<b>demo</b>')
  })

  it('is absent without the option, and from the sign-in form', async () => {
    expect(await setup()()).not.toContain('data-testid="notice"')
    expect(await setup(() => 'demo')({})).not.toContain('data-testid="notice"')
  })
})

describe('the admin notice on the usage pages', () => {
  it('shows on the usage page and on a user page, as on the dashboard', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tally-notice-'))
    const store = openSqliteStore({ path: join(directory, 'tally.db') })
    try {
      await store.migrate()
      const app = new Hono()
      const notice = 'Demo data: generated activity. Not real usage.'
      app.route(
        '/admin',
        createAdminRoutes({ adminToken, exportMode: 'off', store, notice: () => notice }),
      )
      for (const path of ['/admin/usage', '/admin/usage/users/1']) {
        const markup = await (await app.request(path, { headers: bearer })).text()
        expect(text(one(markup, 'notice').inner), path).toBe(notice)
      }
    } finally {
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe('the retention card', () => {
  it('says how long raw events and rollups are kept, when told', async () => {
    const clock = testClock()
    const app = new Hono()
    app.route(
      '/admin',
      createAdminRoutes({
        adminToken,
        exportMode: 'off',
        store: memoryStore(clock),
        now: clock.now,
        retention: { rawDays: 90, rollupDays: 400 },
      }),
    )
    const markup = await (await app.request('/admin', { headers: bearer })).text()
    expect(text(one(markup, 'retention').inner)).toBe('90 days')
    expect(text(one(markup, 'rollup-retention').inner)).toBe('400 days')
    expect(await setup()()).not.toContain('data-testid="retention"')
  })
})
