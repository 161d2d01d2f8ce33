import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  test as base,
  expect,
  type BrowserContext,
  type Page,
  type TestInfo,
} from '@playwright/test'
import Database from 'better-sqlite3'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const tallyBin = join(root, 'bin', 'tally.js')

/** Where screenshots are kept beside the test attachments. */
export const screenshotDir = join(root, 'test-results', 'screenshots')

export type ExportMode = 'redact' | 'full' | 'off'

export interface PipelineOptions {
  exportMode: ExportMode
  /** `feature::action::key` entries passed as `--allowlist`. */
  allowlist: readonly string[]
  exportIntervalMs: number
}

/** A `tally` child process and what it printed. */
interface Child {
  process: ChildProcess
  output: string[]
}

/** One event as the instance stored it (SQLite `events`, joined to `users`). */
export interface StoredEvent {
  id: string
  userId: number
  subject: string | null
  feature: string
  action: string
  payload: Record<string, unknown> & {
    parameters: { privateMetadata?: Record<string, unknown> }
  }
}

/** One event as the gateway lists it. */
export interface GatewayEvent {
  id: string
  receivedAt: string
  event: {
    id: string
    feature: string
    action: string
    userId: number
    parameters: {
      metadata?: Record<string, unknown>
      privateMetadata?: Record<string, unknown>
    }
  }
}

/** One `POST /.api/telemetry/events` the browser made, as the test saw it answered. */
export interface SentBatch {
  /** The ids the instance acknowledged (stored now or before). */
  ids: string[]
  status: number
}

export interface Pipeline {
  readonly options: PipelineOptions
  /** The instance backend: `http://127.0.0.1:<port>`. */
  readonly instanceUrl: string
  /** The gateway's base URL (events at `/v1/events`). */
  readonly gatewayUrl: string
  readonly adminToken: string
  readonly instanceId: string
  /** The instance's data folder (SQLite `tally.db`). */
  readonly instanceDir: string
  /** The gateway's data folder. */
  readonly gatewayDir: string
  /** Every telemetry batch of the test's context the test saw answered (duplicates included). */
  readonly sent: readonly SentBatch[]
  /** Every event id acknowledged to a page, in order, duplicates included. */
  sentIds(): string[]
  /** Signs `user` in (the demo session cookie) and opens the demo app. */
  openDemo(page: Page, user: string): Promise<void>
  /** Signs in on the admin page with the admin token and opens the dashboard. */
  openAdmin(page: Page): Promise<void>
  /** The instance's numeric id for a demo user, once the user sent something. */
  userId(user: string): number | undefined
  /** Every row of the instance's `events` table, read-only from its SQLite file. */
  stored(): StoredEvent[]
  /** Every event the gateway received from this instance. */
  received(): Promise<GatewayEvent[]>
  /**
   * The instance's ingest counters from `GET /metrics`: events newly stored, and events that
   * arrived again (already stored; counted however they were sent, keepalive included).
   */
  ingestCounts(): Promise<{ stored: number; duplicate: number; rejected: number }>
  /** `GET /admin/api/status` with the admin token. */
  adminStatus(): Promise<AdminStatus>
  /** Polls until the instance stored `count` events; returns them. */
  waitForStored(count: number, timeoutMs?: number): Promise<StoredEvent[]>
  /** Polls until the gateway received `count` events; returns them. */
  waitForReceived(count: number, timeoutMs?: number): Promise<GatewayEvent[]>
  /** A full-page screenshot attached to the test and written to test-results/screenshots/. */
  screenshot(page: Page, name: string): Promise<void>
}

export interface AdminStatus {
  mode: ExportMode
  metrics: { exported?: number; backlog?: number } | null
  stats: { total: number; backlog: number }
}

const defaultOptions: PipelineOptions = {
  exportMode: 'redact',
  allowlist: [],
  exportIntervalMs: 300,
}

/** Starts `node bin/tally.js <args>` and resolves with the URL matched in its stdout. */
async function startChild(
  args: string[],
  urlPattern: RegExp,
): Promise<{ child: Child; url: string }> {
  const child = spawn(process.execPath, [tallyBin, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test' },
  })
  const output: string[] = []
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`tally ${args[0] ?? ''} printed no URL within 15 s:\n${output.join('')}`))
    }, 15_000)
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      output.push(chunk)
      const match = urlPattern.exec(output.join(''))
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr.on('data', (chunk: string) => output.push(chunk))
    child.once('exit', code => {
      fail(
        new Error(`tally ${args[0] ?? ''} exited with ${code ?? 'a signal'}:\n${output.join('')}`),
      )
    })
  })
  return { child: { process: child, output }, url }
}

/** SIGTERM (the CLI closes its stores), then SIGKILL after 5 s. */
async function stopChild(child: Child): Promise<void> {
  const { process: proc } = child
  if (proc.exitCode !== null || proc.signalCode !== null) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    proc.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    proc.kill('SIGTERM')
  })
}

async function startPipeline(
  options: PipelineOptions,
  context: BrowserContext,
  testInfo: TestInfo,
): Promise<{ pipeline: Pipeline; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tally-pipeline-'))
  const instanceId = 'e2e'
  const instanceKey = randomBytes(18).toString('base64url')
  const adminToken = randomBytes(18).toString('base64url')
  const sessionSecret = randomBytes(32).toString('hex')
  const children: Child[] = []

  const close = async () => {
    await Promise.all(children.map(stopChild))
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [name, child] of [
        ['gateway', children[0]],
        ['instance', children[1]],
      ] as const) {
        if (child) await testInfo.attach(`${name}.log`, { body: child.output.join('') })
      }
    }
    await rm(dir, { recursive: true, force: true })
  }

  try {
    const gateway = await startChild(
      [
        'gateway',
        '--port=0',
        `--data=${join(dir, 'gateway')}`,
        `--instance-key=${instanceId}=${instanceKey}`,
      ],
      /tally gateway: receiving at (http:\/\/\S+)\/v1\/events/,
    )
    children.push(gateway.child)
    const instanceDir = join(dir, 'instance')
    const instance = await startChild(
      [
        'serve',
        '--port=0',
        `--data=${instanceDir}`,
        `--export-mode=${options.exportMode}`,
        `--gateway-url=${gateway.url}`,
        `--instance-key=${instanceId}=${instanceKey}`,
        `--export-interval-ms=${options.exportIntervalMs}`,
        // `--name=value`: a random value may start with `-`, which parseArgs would refuse.
        `--admin-token=${adminToken}`,
        `--session-secret=${sessionSecret}`,
        ...(options.allowlist.length > 0 ? [`--allowlist=${options.allowlist.join(',')}`] : []),
      ],
      /tally serve: instance backend at (http:\/\/\S+)/,
    )
    children.push(instance.child)

    const instanceUrl = instance.url
    const gatewayUrl = gateway.url
    const dbPath = join(instanceDir, 'tally.db')
    const sent: SentBatch[] = []
    // The client's request bodies are not visible to Playwright (postData() is null), so the
    // ids are read from the instance's answers: `accepted` lists every id of the batch it
    // stored or already had. A closing page's keepalive answer is not seen.
    context.on('response', response => {
      const request = response.request()
      if (request.method() !== 'POST') return
      if (!response.url().startsWith(`${instanceUrl}/.api/telemetry/events`)) return
      void response.json().then(
        (body: unknown) => {
          const accepted = (body as { accepted?: unknown }).accepted
          if (Array.isArray(accepted))
            sent.push({ ids: accepted.map(String), status: response.status() })
        },
        () => {
          sent.push({ ids: [], status: response.status() })
        },
      )
    })

    const query = <T>(sql: string, ...params: unknown[]): T[] => {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true })
      try {
        return db.prepare(sql).all(...params) as T[]
      } finally {
        db.close()
      }
    }

    const stored = (): StoredEvent[] => {
      const rows = query<{
        id: string
        userId: number
        subject: string | null
        feature: string
        action: string
        payload: string
      }>(
        `SELECT e.id, e.user_id AS userId, u.subject, e.feature, e.action, e.payload
         FROM events e LEFT JOIN users u ON u.id = e.user_id ORDER BY e.received_at, e.id`,
      )
      return rows.map(row => ({
        ...row,
        payload: JSON.parse(row.payload) as StoredEvent['payload'],
      }))
    }

    const received = async (): Promise<GatewayEvent[]> => {
      const response = await fetch(`${gatewayUrl}/v1/events?instance=${instanceId}&limit=10000`, {
        headers: { authorization: `Bearer ${instanceKey}`, 'x-tally-instance': instanceId },
      })
      if (!response.ok) throw new Error(`the gateway listing answered ${response.status}`)
      const body = (await response.json()) as { events: GatewayEvent[] }
      return body.events
    }

    const pipeline: Pipeline = {
      options,
      instanceUrl,
      gatewayUrl,
      adminToken,
      instanceId,
      instanceDir,
      gatewayDir: join(dir, 'gateway'),
      sent,
      sentIds: () => sent.flatMap(batch => batch.ids),
      async openDemo(page, user) {
        const response = await page.request.post(`${instanceUrl}/demo/sign-in`, {
          data: { user },
        })
        expect(response.status(), await response.text()).toBe(200)
        await page.goto(`${instanceUrl}/`)
        await expect(page.getByTestId('user')).toHaveText(user)
        await expect(page.getByTestId('search-input')).toBeVisible()
      },
      async openAdmin(page) {
        await page.goto(`${instanceUrl}/admin`)
        await page.locator('input[name="token"]').fill(adminToken)
        await page.locator('form[data-testid="sign-in"] [type="submit"]').click()
        await expect(page.getByTestId('export-mode')).toHaveText(options.exportMode)
      },
      userId(user) {
        const rows = query<{ id: number }>(
          'SELECT id FROM users WHERE subject = ?',
          `session:${user}`,
        )
        return rows[0]?.id
      },
      stored,
      received,
      async ingestCounts() {
        const response = await fetch(`${instanceUrl}/metrics`)
        expect(response.status).toBe(200)
        const text = await response.text()
        const count = (outcome: string) => {
          const pattern = new RegExp(
            `^tally_ingest_events_total\\{outcome="${outcome}"\\} (\\d+)$`,
            'm',
          )
          return Number(pattern.exec(text)?.[1] ?? 0)
        }
        return {
          stored: count('stored'),
          duplicate: count('duplicate'),
          rejected: count('rejected'),
        }
      },
      async adminStatus() {
        const response = await fetch(`${instanceUrl}/admin/api/status`, {
          headers: { authorization: `Bearer ${adminToken}` },
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
    return { pipeline, close }
  } catch (error) {
    await close()
    throw error
  }
}

export interface PipelineFixtures {
  /** Export mode, allowlist and interval of this test's instance: `test.use({ pipelineOptions })`. */
  pipelineOptions: Partial<PipelineOptions>
  /** A real `tally gateway` and `tally serve` for this test, stopped and removed after it. */
  pipeline: Pipeline
}

export const test = base.extend<PipelineFixtures>({
  pipelineOptions: [{}, { option: true }],
  pipeline: async ({ pipelineOptions, context }, use, testInfo) => {
    const { pipeline, close } = await startPipeline(
      { ...defaultOptions, ...pipelineOptions },
      context,
      testInfo,
    )
    try {
      await use(pipeline)
    } finally {
      await close()
    }
  },
})

export { expect }

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) repeated.add(id)
    seen.add(id)
  }
  return [...repeated]
}

export interface EventCounts {
  recorded: number
  /** Rows in the instance's `events` table. */
  stored: number
  /** Events that reached the instance more than once (its ingest `duplicate` counter). */
  duplicatesSent: number
  /** The same, as far as the test saw answers reach a page (a closing page's keepalive answer is not seen). */
  duplicatesSeenLeaving: number
  /** Event copies the test saw acknowledged to a page, duplicates included. */
  seenLeaving: number
  /** Ids stored in more than one row. */
  duplicatesStored: number
}

/**
 * Counts what the closing note asks for, writes them as an attachment and on stdout,
 * and checks the instance's own counters agree with its table.
 */
export async function reportCounts(
  testInfo: TestInfo,
  pipeline: Pipeline,
  recorded: number,
): Promise<EventCounts> {
  const ids = pipeline.stored().map(event => event.id)
  const ingest = await pipeline.ingestCounts()
  const counts: EventCounts = {
    recorded,
    stored: ids.length,
    duplicatesSent: ingest.duplicate,
    duplicatesSeenLeaving: duplicates(pipeline.sentIds()).length,
    seenLeaving: pipeline.sentIds().length,
    duplicatesStored: duplicates(ids).length,
  }
  await testInfo.attach('counts.json', {
    body: JSON.stringify(counts, null, 2),
    contentType: 'application/json',
  })
  process.stdout.write(`${testInfo.title}: ${JSON.stringify(counts)}\n`)
  expect(ingest.stored).toBe(ids.length)
  expect(ingest.rejected).toBe(0)
  return counts
}

/** The files under `dir` (a SQLite database and its WAL included) whose bytes contain `text`. */
export function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8')
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
    .filter(path => readFileSync(path).includes(needle))
}
