import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createAdminRoutes } from '../../../src/server/admin/admin-routes.js'
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
