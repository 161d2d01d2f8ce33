import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  test as base,
  expect,
  type BrowserContext,
  type Page,
  type TestInfo,
} from '@playwright/test'
import { gatewayClient, type GatewayEvent } from './gateway-client.js'
import { openInstanceDb, type StoredEvent } from './instance-db.js'
import {
  adminToken,
  gatewayDir,
  gatewayUrl,
  instanceAddress,
  instanceDir,
  instanceId,
  instanceKey,
  instanceSpecs,
  root,
  type ExportMode,
  type InstanceName,
  type InstanceSpec,
} from './servers.js'

export type { ExportMode, GatewayEvent, InstanceName, StoredEvent }

/** Where screenshots are kept beside the test attachments. */
export const screenshotDir = join(root, 'test-results', 'screenshots')

/** One `POST /.api/telemetry/events` the browser made, as the test saw it answered. */
export interface SentBatch {
  /** The ids the instance acknowledged (stored now or before); none in a 503. */
  ids: string[]
  status: number
}

export interface IngestCounts {
  stored: number
  duplicate: number
  rejected: number
}

/**
 * One of the instances playwright.config.ts started, seen from one test. The instance is
 * shared, so everything here is about the demo users this test signed in: each name given to
 * `openDemo` gets a suffix of its own, and `stored()`/`received()` hold only their events.
 */
export interface Pipeline {
  readonly name: InstanceName
  readonly options: InstanceSpec
  /** The instance backend: `http://127.0.0.1:<port>`. */
  readonly instanceUrl: string
  /** The gateway's base URL (events at `/v1/events`). */
  readonly gatewayUrl: string
  readonly adminToken: string
  readonly instanceId: string
  /** The instance's data folder (SQLite `tally.db`). */
  readonly instanceDir: string
  /** The gateway's data folder (shared by every instance's exports). */
  readonly gatewayDir: string
  /** Every telemetry batch of the test's context the test saw answered (duplicates included). */
  readonly sent: readonly SentBatch[]
  /** Every event id acknowledged to a page, in order, duplicates included. */
  sentIds(): string[]
  /** The name `user` signs in as in this test (`alice` → `alice-<suffix>`). */
  demoUser(user: string): string
  /** Signs `user` in (the demo session cookie) and opens the demo app. */
  openDemo(page: Page, user: string): Promise<void>
  /** Signs in on the admin page with the admin token and opens the dashboard. */
  openAdmin(page: Page): Promise<void>
  /** The instance's numeric id for a demo user, once the user sent something. */
  userId(user: string): number | undefined
  /** This test's users' rows of the instance's `events` table, read-only from its SQLite file. */
  stored(): StoredEvent[]
  /** Every event of this test's users the gateway received from this instance. */
  received(): Promise<GatewayEvent[]>
  /**
   * The instance's ingest counters (`GET /metrics`) since the test's first `openDemo`: events newly
   * stored, and events that arrived again (already stored; keepalive sends included). Tests
   * run one at a time (workers: 1), so these are the test's own.
   */
  ingestCounts(): Promise<IngestCounts>
  /**
   * Keeps the counters so far before the instance is killed: its successor counts from zero.
   * Call it when nothing is on its way to the instance, or the counts miss what was.
   */
  carryCounters(): Promise<void>
  /** Holds the instance's SQLite write lock, so that ingest answers 503 until released. */
  holdWriteLock(): { release(): void }
  /** `GET /admin/api/status` with the admin token. */
  adminStatus(): Promise<AdminStatus>
  /** Polls until the instance stored `count` events of this test's users; returns them. */
  waitForStored(count: number, timeoutMs?: number): Promise<StoredEvent[]>
  /** Polls until the gateway received `count` events of this test's users; returns them. */
  waitForReceived(count: number, timeoutMs?: number): Promise<GatewayEvent[]>
  /** A full-page screenshot attached to the test and written to test-results/screenshots/. */
  screenshot(page: Page, name: string): Promise<void>
}

export interface AdminStatus {
  mode: ExportMode
  metrics: { exported?: number; backlog?: number } | null
  stats: { total: number; backlog: number }
}

async function readIngestCounts(instanceUrl: string): Promise<IngestCounts> {
  const response = await fetch(`${instanceUrl}/metrics`)
  expect(response.status).toBe(200)
  const text = await response.text()
  const count = (outcome: string) => {
    const pattern = new RegExp(`^tally_ingest_events_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm')
    return Number(pattern.exec(text)?.[1] ?? 0)
  }
  return { stored: count('stored'), duplicate: count('duplicate'), rejected: count('rejected') }
}

const zero: IngestCounts = { stored: 0, duplicate: 0, rejected: 0 }
const plus = (a: IngestCounts, b: IngestCounts, sign = 1): IngestCounts => ({
  stored: a.stored + sign * b.stored,
  duplicate: a.duplicate + sign * b.duplicate,
  rejected: a.rejected + sign * b.rejected,
})

async function createPipeline(
  name: InstanceName,
  context: BrowserContext,
  testInfo: TestInfo,
): Promise<Pipeline> {
  const { url: instanceUrl } = instanceAddress(name)
  const options: InstanceSpec = instanceSpecs[name]
  const db = openInstanceDb(instanceDir(name))
  const gateway = gatewayClient(gatewayUrl(), instanceId(name), instanceKey(name))
  const suffix = randomBytes(4).toString('hex')
  const users = new Set<string>()
  const subjects = () => [...users].map(user => `session:${user}`)
  // Read when the test opens its first page, not before: the crash test may have to start
  // its instance first.
  let baseline: IngestCounts | undefined
  const since = async () => {
    const now = await readIngestCounts(instanceUrl)
    baseline ??= now
    return plus(now, baseline, -1)
  }
  let carried = zero

  const sent: SentBatch[] = []
  // The client's request bodies are not visible to Playwright (postData() is null), so the
  // ids are read from the instance's answers: `accepted` lists every id of the batch it
  // stored or already had. A closing page's keepalive answer is not seen.
  context.on('response', response => {
    if (response.request().method() !== 'POST') return
    if (!response.url().startsWith(`${instanceUrl}/.api/telemetry/events`)) return
    void response.json().then(
      (body: unknown) => {
        const accepted = (body as { accepted?: unknown }).accepted
        sent.push({
          ids: Array.isArray(accepted) ? accepted.map(String) : [],
          status: response.status(),
        })
      },
      () => {
        sent.push({ ids: [], status: response.status() })
      },
    )
  })

  const stored = () => db.events(subjects())
  const received = async () => {
    const ids = new Set(subjects().map(subject => db.userId(subject)))
    return (await gateway.list()).filter(item => ids.has(item.event.userId))
  }
  const demoUser = (user: string) => `${user}-${suffix}`

  return {
    name,
    options,
    instanceUrl,
    gatewayUrl: gatewayUrl(),
    adminToken: adminToken(),
    instanceId: instanceId(name),
    instanceDir: instanceDir(name),
    gatewayDir: gatewayDir(),
    sent,
    sentIds: () => sent.flatMap(batch => batch.ids),
    demoUser,
    async openDemo(page, user) {
      const name = demoUser(user)
      users.add(name)
      await since()
      const response = await page.request.post(`${instanceUrl}/demo/sign-in`, {
        data: { user: name },
      })
      expect(response.status(), await response.text()).toBe(200)
      await page.goto(`${instanceUrl}/`)
      await expect(page.getByTestId('user')).toHaveText(name)
      await expect(page.getByTestId('search-input')).toBeVisible()
    },
    async openAdmin(page) {
      await page.goto(`${instanceUrl}/admin`)
      await page.locator('input[name="token"]').fill(adminToken())
      await page.locator('form[data-testid="sign-in"] [type="submit"]').click()
      await expect(page.getByTestId('export-mode')).toHaveText(options.exportMode)
    },
    userId: user => db.userId(`session:${demoUser(user)}`),
    stored,
    received,
    async ingestCounts() {
      return plus(carried, await since())
    },
    async carryCounters() {
      carried = plus(carried, await since())
      baseline = zero
    },
    holdWriteLock: () => db.holdWriteLock(),
    async adminStatus() {
      const response = await fetch(`${instanceUrl}/admin/api/status`, {
        headers: { authorization: `Bearer ${adminToken()}` },
      })
      expect(response.status).toBe(200)
      return (await response.json()) as AdminStatus
    },
    async waitForStored(count, timeoutMs = 15_000) {
      await expect
        .poll(() => stored().length, { timeout: timeoutMs, message: 'events stored' })
        .toBeGreaterThanOrEqual(count)
      return stored()
    },
    async waitForReceived(count, timeoutMs = 15_000) {
      await expect
        .poll(async () => (await received()).length, {
          timeout: timeoutMs,
          message: 'events at the gateway',
        })
        .toBeGreaterThanOrEqual(count)
      return received()
    },
    async screenshot(page, name) {
      const body = await page.screenshot({ fullPage: true })
      await testInfo.attach(`${name}.png`, { body, contentType: 'image/png' })
      mkdirSync(screenshotDir, { recursive: true })
      await writeFile(join(screenshotDir, `${name}.png`), body)
    },
  }
}

export interface PipelineFixtures {
  /** Which instance of playwright.config.ts this test uses: `test.use({ instance: 'off' })`. */
  instance: InstanceName
  /** That instance and the gateway, seen through this test's own demo users. */
  pipeline: Pipeline
}

export const test = base.extend<PipelineFixtures>({
  instance: ['redact', { option: true }],
  pipeline: async ({ instance, context }, use, testInfo) => {
    await use(await createPipeline(instance, context, testInfo))
  },
})

export { expect }
export { reportCounts, type EventCounts } from './counts.js'
export { duplicates } from '../support/duplicates.js'

/** The files under `dir` (a SQLite database and its WAL included) whose bytes contain `text`. */
export function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8')
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
    .filter(path => readFileSync(path).includes(needle))
}
