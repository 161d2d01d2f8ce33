import { expect, test } from '@playwright/test'
import { importEvents } from '../../src/server/commands/import.js'
import { importLine, plantHistory, type Planted } from '../contract/insights-history.js'
import { adminToken, instanceAddress, instanceDir } from './pipeline/servers.js'
import { saveScreenshot, signIn, watchCsp } from './support/page-harness.js'

// The usage page of a real `tally serve` (the `usage` instance of playwright.config.ts), over
// a planted history imported into its SQLite folder while it runs, as `tally import` would.

const dayMs = 86_400_000
const bearer = () => ({ authorization: `Bearer ${adminToken()}` })
const formatDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)

/** The planted history moved to end today, nothing later than now. */
function recentHistory(nowMs: number): Planted[] {
  const planted = plantHistory()
  const lastDay = Math.max(...planted.map(event => Math.floor(event.ms / dayMs)))
  const shiftMs = (Math.floor(nowMs / dayMs) - lastDay) * dayMs
  return planted
    .map(event => ({ ...event, ms: event.ms + shiftMs }))
    .filter(event => event.ms <= nowMs)
}

test.beforeAll(async () => {
  const summary = await importEvents(
    { dataDir: instanceDir('usage') },
    recentHistory(Date.now()).map(importLine),
  )
  expect(summary.refused).toBe(0)
})

test('the usage page shows the insights API figures, within the admin CSP', async ({
  page,
  request,
}, testInfo) => {
  const { url } = instanceAddress('usage')
  const api = async <T>(path: string): Promise<T> => {
    const response = await request.get(`${url}/admin/api/insights/${path}`, { headers: bearer() })
    expect(response.status()).toBe(200)
    return (await response.json()) as T
  }
  const violations = await watchCsp(page)
  const today = Math.floor(Date.now() / dayMs)
  const from = formatDay(today - 29)

  await page.goto(`${url}/admin`)
  await signIn(page, adminToken())
  await page.getByTestId('usage-link').click()
  await expect(page.getByTestId('window-current')).toHaveText('last 30 days')

  const active = await api<{ dau: number; wau: number; mau: number; stickiness: number }>(
    `active-users?at=${formatDay(today)}`,
  )
  expect(active.mau).toBeGreaterThan(0)
  await expect(page.getByTestId('dau')).toHaveText(String(active.dau))
  await expect(page.getByTestId('wau')).toHaveText(String(active.wau))
  await expect(page.getByTestId('mau')).toHaveText(String(active.mau))
  await expect(page.getByTestId('stickiness')).toHaveText(
    `${(active.stickiness * 100).toFixed(1)}%`,
  )
  const power = await api<{ powerUsers: number }>('power-users')
  await expect(page.getByTestId('power-users')).toHaveText(String(power.powerUsers))
  const sessions = await api<{ sessions: number; multiFeature: number }>(`sessions?from=${from}`)
  await expect(page.getByTestId('sessions')).toHaveText(String(sessions.sessions))
  await expect(page.getByTestId('multi-feature')).toHaveText(String(sessions.multiFeature))
  const features = await api<{ features: { feature: string; events: number }[] }>(
    `features?from=${from}`,
  )
  expect(features.features.length).toBeGreaterThan(0)
  const rows = page.getByTestId('feature-row')
  await expect(rows).toHaveCount(features.features.length)
  for (const [index, usage] of features.features.entries()) {
    await expect(rows.nth(index)).toHaveAttribute('data-feature', usage.feature)
    await expect(rows.nth(index).getByTestId('feature-events')).toHaveText(String(usage.events))
  }
  const atRisk = await api<{ users: { userId: number }[] }>('at-risk')
  await expect(page.getByTestId('at-risk-row')).toHaveCount(atRisk.users.length)
  await expect(page.locator('svg[role="img"]')).toHaveCount(4)

  await saveScreenshot(page, testInfo, 'usage-page')

  expect(await violations()).toEqual([])

  // Two clicks from a user to one feature's events this month, by day: a user active this
  // month, found through the API.
  const monthStart = `${formatDay(today).slice(0, 8)}01`
  let userId = 0
  for (let candidate = 1; candidate <= 28 && userId === 0; candidate += 1) {
    const { events } = await api<{ events: number }>(`events?user=${candidate}&from=${monthStart}`)
    if (events > 0) userId = candidate
  }
  expect(userId).toBeGreaterThan(0)
  await page.locator('input[name="id"]').fill(String(userId))
  await page.getByRole('button', { name: 'Open user' }).click()
  const firstFeature = page.getByTestId('user-feature-row').first()
  const feature = await firstFeature.getAttribute('data-feature')
  await firstFeature.getByTestId('user-feature-month').click()
  const month = await api<{ events: number; users: number }>(
    `events?feature=${feature}&user=${userId}&from=${monthStart}`,
  )
  await expect(page.getByTestId('explorer-events')).toHaveText(String(month.events))
  await expect(page.getByTestId('explorer-feature')).toHaveValue(feature ?? '')
  await expect(page.getByTestId('explorer-user')).toHaveValue(String(userId))

  expect(await violations()).toEqual([])
})
