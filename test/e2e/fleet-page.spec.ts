import { expect, test } from '@playwright/test'
import { gatewayPingsPath, type Ping } from '../../src/protocol/ping.js'
import { makePing } from '../support/pings.js'
import {
  gatewayAdminKey,
  gatewayUrl,
  instanceId,
  instanceKey,
  type InstanceName,
} from './pipeline/servers.js'
import { saveScreenshot, signIn, watchCsp } from './support/page-harness.js'

// The fleet page of the real `tally gateway` of playwright.config.ts, fed by two of its real
// `tally serve` instances: each sends its own daily ping, and the test sends, with each
// instance's id and key as the instance would, 45 days of history before those (the real
// instances were started a moment ago, so they have no history of their own to ping).

const dayMs = 86_400_000
const formatDay = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)
const fed: readonly InstanceName[] = ['redact', 'full']

/** Planted figures: `redact` busy and steady, `full` smaller and halving over the window. */
function plantedPing(name: InstanceName, day: number, today: number): Ping {
  const age = today - day
  const wau = name === 'redact' ? 40 + (day % 5) : Math.max(2, Math.round(age * 1.5))
  return makePing({
    instance: instanceId(name),
    day: formatDay(day),
    version: '0.1.0',
    dau: Math.floor(wau / 3),
    wau,
    mau: wau * 2,
    features:
      name === 'redact'
        ? { search: { events: 400, users: wau }, notebook: { events: 30, users: 6 } }
        : { search: { events: 50, users: Math.min(wau, 25) }, blob: { events: 9, users: 3 } },
  })
}

/** Sends a ping as the instance `name` sends its own. */
async function sendPing(request: typeof fetch, name: InstanceName, ping: Ping) {
  const response = await request(`${gatewayUrl()}${gatewayPingsPath}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tally-instance': instanceId(name),
      authorization: `Bearer ${instanceKey(name)}`,
    },
    body: JSON.stringify(ping),
  })
  expect(response.status, await response.text()).toBeLessThan(300)
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

test.beforeAll(async () => {
  const today = Math.floor(Date.now() / dayMs)
  // Days before yesterday: yesterday's ping is each instance's own.
  for (const name of fed) {
    for (let day = today - 46; day <= today - 2; day += 1) {
      await sendPing(fetch, name, plantedPing(name, day, today))
    }
  }
})

test('the fleet page draws /v1/fleet’s figures, within the strict CSP', async ({
  page,
  request,
}, testInfo) => {
  const url = gatewayUrl()
  const violations = await watchCsp(page)

  const unauthenticated = await request.get(`${url}/v1/fleet`)
  expect(unauthenticated.status()).toBe(401)
  const asInstance = await request.get(`${url}/v1/fleet`, {
    headers: { authorization: `Bearer ${instanceKey('redact')}` },
  })
  expect(asInstance.status()).toBe(401)
  const response = await request.get(`${url}/v1/fleet`, {
    headers: { authorization: `Bearer ${gatewayAdminKey()}` },
  })
  expect(response.status()).toBe(200)
  const answer = (await response.json()) as FleetAnswer
  for (const name of fed) {
    expect(answer.instances.map(entry => entry.instance)).toContain(instanceId(name))
  }

  await page.goto(url)
  await signIn(page, gatewayAdminKey())
  await expect(page.getByTestId('window-current')).toHaveText('last 30 days')

  const rows = page.getByTestId('instance-row')
  await expect(rows).toHaveCount(answer.instances.length)
  for (const [index, entry] of answer.instances.entries()) {
    const row = rows.nth(index)
    await expect(row).toHaveAttribute('data-instance', entry.instance)
    await expect(row.getByTestId('instance-version')).toHaveText(entry.version)
    await expect(row.getByTestId('instance-last-ping')).toHaveText(entry.lastPingDay)
    await expect(row.getByTestId('instance-dau')).toHaveText(String(entry.dau))
    await expect(row.getByTestId('instance-wau')).toHaveText(String(entry.wau))
    await expect(row.getByTestId('instance-mau')).toHaveText(String(entry.mau))
    await expect(row.getByTestId('instance-stickiness')).toHaveText(
      `${(entry.stickiness * 100).toFixed(1)}%`,
    )
  }
  const features = page.getByTestId('feature-row')
  await expect(features).toHaveCount(answer.features.length)
  for (const [index, entry] of answer.features.entries()) {
    const row = features.nth(index)
    await expect(row).toHaveAttribute('data-feature', entry.feature)
    await expect(row.getByTestId('feature-instances')).toHaveText(String(entry.instances))
    await expect(row.getByTestId('feature-users')).toHaveText(String(entry.users))
  }
  await expect(page.getByTestId('instance-count')).toHaveText(String(answer.instances.length))
  await expect(page.getByTestId('fell-row')).toHaveCount(
    Number(await page.getByTestId('fell-count').textContent()),
  )
  await expect(page.locator('svg[role="img"]')).toHaveCount(3)
  await expect(page.getByTestId('computed-at')).toContainText('UTC')

  await saveScreenshot(page, testInfo, 'fleet-page')
  expect(await violations()).toEqual([])

  // Each instance links to its usage page: the usage charts over the events it exported.
  await page
    .locator(`[data-testid="instance-row"][data-instance="${instanceId('redact')}"]`)
    .getByTestId('instance-link')
    .click()
  await expect(page).toHaveURL(`${url}/instances/${instanceId('redact')}`)
  await expect(page.getByTestId('window-current')).toHaveText('last 30 days')
  await page.getByRole('link', { name: 'last 7 days' }).click()
  await expect(page.getByTestId('window-current')).toHaveText('last 7 days')
  await page.getByRole('link', { name: 'Fleet' }).click()
  await expect(page.getByTestId('instance-row').first()).toBeVisible()

  expect(await violations()).toEqual([])
})
