import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportMode } from '../../../src/protocol/config.js'
import { createAdminRoutes } from '../../../src/server/admin/admin-routes.js'
import { createPingWorker, type PingWorker } from '../../../src/server/pings/ping-worker.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { fakePingGateway, instanceId, instanceKey, listen } from '../pings/fake-ping-gateway.js'
import { dayMs, pingDay, plantUsage, storeUsage } from '../pings/planted-usage.js'
import { byTestId, one, text } from './page-query.js'

const adminToken = 'admin-token-0123456789abcdef'
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const iso = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)

async function setup(mode: ExportMode = 'redact') {
  const directory = await mkdtemp(join(tmpdir(), 'tally-admin-pings-'))
  const store = openSqliteStore({ path: join(directory, 'tally.db') })
  await store.migrate()
  await storeUsage(store, plantUsage())
  const gateway = fakePingGateway()
  const server = await listen(gateway.app)
  const now = () => new Date((pingDay + 1) * dayMs + 60 * 60_000)
  const pings: PingWorker | undefined =
    mode === 'off'
      ? undefined
      : createPingWorker({
          store,
          gatewayUrl: server.url,
          instanceId,
          instanceKey,
          maxMissedDays: 3,
          now,
        })
  cleanups.push(async () => {
    await pings?.stop()
    await server.close()
    await store.close()
    await rm(directory, { recursive: true, force: true })
  })
  const app = createAdminRoutes({ adminToken, exportMode: mode, store, pings, now })
  const page = async () => {
    const response = await app.request('/', { headers: { authorization: `Bearer ${adminToken}` } })
    expect(response.status).toBe(200)
    return response.text()
  }
  return { gateway, pings, page }
}

const rows = (markup: string) =>
  byTestId(markup, 'ping-row').map(row => ({
    day: row.attributes['data-day'],
    status: row.attributes['data-status'],
    json: text(one(row.inner, 'ping-json').inner),
  }))

// Each test builds up to 30 pings of three queries: bounds for a loaded machine.
describe('admin page: daily pings', { timeout: 20_000 }, () => {
  it('shows the pending pings as they will leave, then the answered ones as they left', async () => {
    const { gateway, pings, page } = await setup()
    const pending = await pings?.pending()
    const before = rows(await page())
    expect(before).toEqual(
      [pingDay - 2, pingDay - 1, pingDay].map((day, index) => ({
        day: iso(day),
        status: 'pending',
        json: pending?.[index]?.body,
      })),
    )

    gateway.faults.push(
      () =>
        new Response(
          JSON.stringify({
            accepted: [],
            rejected: [{ id: `${instanceId}:${iso(pingDay - 2)}`, reason: 'not <today>' }],
          }),
        ),
    )
    await pings?.runOnce()
    const markup = await page()
    const after = rows(markup)
    expect(after.map(row => [row.day, row.status])).toEqual([
      [iso(pingDay), 'sent'],
      [iso(pingDay - 1), 'sent'],
      [iso(pingDay - 2), 'refused'],
    ])
    expect(after.map(row => row.json)).toEqual(gateway.received.map(r => r.body).reverse())
    // The gateway's reason is shown as text, never as markup.
    expect(markup).toContain('not &lt;today&gt;')
    expect(text(one(markup, 'pings-summary').inner)).toMatch(/2 acknowledged and\s+1 refused/)
  })

  it('says that no ping leaves in off mode', async () => {
    const { page } = await setup('off')
    const markup = await page()
    expect(text(one(markup, 'pings-notice').inner)).toContain('no daily ping leaves')
    expect(byTestId(markup, 'ping-row')).toEqual([])
  })
})
