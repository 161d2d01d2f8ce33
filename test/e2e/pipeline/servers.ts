// The servers of the pipeline suites: one reference `tally gateway` and one `tally serve` per
// configuration the specs need, each with its own SQLite folder. playwright.config.ts starts
// them once per run (`webServer`, port 0); the test workers find them in the environment the
// runner hands down. Nothing here imports the test runner, so the config can load it.
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PlaywrightTestConfig } from '@playwright/test'

export const root = fileURLToPath(new URL('../../../', import.meta.url))
export const tallyBin = join(root, 'bin', 'tally.js')

export type ExportMode = 'redact' | 'full' | 'off'

export interface InstanceSpec {
  exportMode: ExportMode
  /** `feature::action::key` entries passed as `--allowlist`. */
  allowlist: readonly string[]
  exportIntervalMs: number
  /** `--export-timeout-ms`: rows claimed by an exporter that died go out again after 5×. */
  exportTimeoutMs?: number
}

const none: readonly string[] = []

/** Every `tally serve` of the run. Tests share them and tell their rows apart by demo user. */
export const instanceSpecs = {
  redact: { exportMode: 'redact', allowlist: none, exportIntervalMs: 300 },
  allowlisted: {
    exportMode: 'redact',
    allowlist: ['search::submitted::query'],
    exportIntervalMs: 300,
  },
  // One export at start (nothing to send yet), the next long after the run: the admin
  // preview test sees its events still waiting. Nothing else uses it.
  held: { exportMode: 'redact', allowlist: none, exportIntervalMs: 600_000 },
  full: { exportMode: 'full', allowlist: none, exportIntervalMs: 300 },
  off: { exportMode: 'off', allowlist: none, exportIntervalMs: 300 },
  // Its SQLite write lock held by the 503 test. Every export run then blocks the server for
  // the store's 5 s busy_timeout too (better-sqlite3 waits synchronously), so it runs seldom.
  outage: { exportMode: 'redact', allowlist: none, exportIntervalMs: 5_000 },
  // The usage page's spec imports a history into it; one export run at start, none after, so
  // that retention prunes nothing between the page and the API it is compared with.
  usage: { exportMode: 'off', allowlist: none, exportIntervalMs: 600_000 },
  // SIGKILLed and restarted on its port by the crash test; nothing else uses it.
  // Its exporter dies too, maybe with rows claimed: a short lease (5 × 2 s) lets the
  // restarted one send them within the test instead of after the default 5 minutes.
  crash: { exportMode: 'redact', allowlist: none, exportIntervalMs: 300, exportTimeoutMs: 2_000 },
} as const satisfies Record<string, InstanceSpec>

export type InstanceName = keyof typeof instanceSpecs

const instanceNames = Object.keys(instanceSpecs) as InstanceName[]

// The runner sets these when it loads the config; workers inherit the runner's environment,
// so they find the same folder and secret instead of making their own.
const dirVariable = 'TALLY_E2E_DIR'
const secretVariable = 'TALLY_E2E_SECRET'
// Set by the runner from the servers' output (named groups of `wait.stdout`, uppercased).
const gatewayUrlVariable = 'TALLY_E2E_GATEWAY_URL'
const urlVariable = (name: InstanceName) => `TALLY_E2E_${name.toUpperCase()}_URL`
const pidVariable = (name: InstanceName) => `TALLY_E2E_${name.toUpperCase()}_PID`

/**
 * Makes the run's temporary folder and secret, once: in the runner, which loads the config
 * first. The folder goes when the runner exits, after `webServer` stopped the servers.
 */
export function prepareRun(): void {
  if (process.env[dirVariable] !== undefined) return
  const dir = mkdtempSync(join(tmpdir(), 'tally-pipeline-'))
  process.env[dirVariable] = dir
  process.env[secretVariable] = randomBytes(32).toString('hex')
  process.on('exit', () => {
    rmSync(dir, { recursive: true, force: true })
  })
}

function required(variable: string): string {
  const value = process.env[variable]
  if (value === undefined || value === '')
    throw new Error(
      `${variable} is not set: the pipeline servers are started by playwright.config.ts`,
    )
  return value
}

const runDir = () => required(dirVariable)

/** A secret of the run for one purpose; hex, so that no value starts with `-`. */
const derived = (purpose: string) =>
  createHmac('sha256', required(secretVariable)).update(purpose).digest('hex').slice(0, 32)

export const adminToken = () => derived('admin')
const sessionSecret = () => derived('session')
export const instanceId = (name: InstanceName) => `e2e-${name}`
export const instanceKey = (name: InstanceName) => derived(`instance:${name}`)
export const instanceDir = (name: InstanceName) => join(runDir(), name)
export const gatewayDir = () => join(runDir(), 'gateway')
export const gatewayUrl = () => required(gatewayUrlVariable)
/** The gateway's admin key: `GET /v1/fleet` and the fleet page at its `/`. */
export const gatewayAdminKey = () => derived('gateway-admin')

/** Where a test worker finds an instance the config started. */
export function instanceAddress(name: InstanceName): { url: string; pid: number } {
  return { url: required(urlVariable(name)), pid: Number(required(pidVariable(name))) }
}

/**
 * `tally serve`'s arguments for an instance, but the port and the gateway URL: the config
 * passes port 0 and the gateway's URL through the shell, a restart the port it had.
 */
export function serveArgs(name: InstanceName): string[] {
  const spec: InstanceSpec = instanceSpecs[name]
  return [
    'serve',
    `--data=${instanceDir(name)}`,
    `--export-mode=${spec.exportMode}`,
    `--instance-key=${instanceId(name)}=${instanceKey(name)}`,
    `--export-interval-ms=${spec.exportIntervalMs}`,
    ...(spec.exportTimeoutMs === undefined ? [] : [`--export-timeout-ms=${spec.exportTimeoutMs}`]),
    `--admin-token=${adminToken()}`,
    // The pages sign in through the demo; the same secret after a restart keeps their session
    // cookies valid.
    '--demo',
    // The tests count their own users' events; generated history would only delay exports.
    '--no-demo-data',
    `--session-secret=${sessionSecret()}`,
    ...(spec.allowlist.length > 0 ? [`--allowlist=${spec.allowlist.join(',')}`] : []),
  ]
}

/** What `tally serve` prints once it listens; the crash test waits for it after a restart. */
export const serveListening = /tally serve: instance backend at (http:\/\/\S+)\r?\n/

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

type WebServer = Extract<NonNullable<PlaywrightTestConfig['webServer']>, unknown[]>[number]

// `exec` makes the shell's pid the server's, so the pid printed first is the one to signal.
const command = (args: string[], extra = '') =>
  `echo "pid $$" && exec ${[process.execPath, tallyBin, ...args].map(quote).join(' ')}${extra}`

const common = {
  cwd: root,
  // Their export logs; `DEBUG=pw:webserver npx playwright test` shows them.
  stdout: 'ignore',
  stderr: 'pipe',
  timeout: 30_000,
  // SIGTERM lets the CLI close its SQLite stores.
  gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
} as const

/** The `webServer` entries: the gateway first, whose URL the instances' commands read. */
export function webServers(): WebServer[] {
  const gateway: WebServer = {
    ...common,
    name: 'gateway',
    command: command([
      'gateway',
      '--port=0',
      `--data=${gatewayDir()}`,
      `--admin-key=${gatewayAdminKey()}`,
      ...instanceNames.map(name => `--instance-key=${instanceId(name)}=${instanceKey(name)}`),
    ]),
    wait: {
      stdout: /tally gateway: receiving at (?<tally_e2e_gateway_url>http:\/\/\S+)\/v1\/events/,
    },
  }
  const instances = instanceNames.map((name): WebServer => ({
    ...common,
    name,
    command: command([...serveArgs(name), '--port=0'], ` --gateway-url="$${gatewayUrlVariable}"`),
    wait: {
      stdout: new RegExp(
        `^pid (?<tally_e2e_${name}_pid>\\d+)$[\\s\\S]*?` +
          `tally serve: instance backend at (?<tally_e2e_${name}_url>http://\\S+)\\r?\\n`,
        'm',
      ),
    },
  }))
  return [gateway, ...instances]
}
