import type { ExportMode } from '../../protocol/config.js'
import { instancePattern, type PingStoreKind } from '../../protocol/ping.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { gatewayPingsUrl } from '../export/gateway-url.js'
import type { ExportLogEntry } from '../export/export-options.js'
import type { InsightsStore } from '../stores/insights-store.js'
import type { PingLogStore, StoreKind } from '../stores/server-event-store.js'
import { tallyVersion } from '../tally-version.js'

/** What the ping worker reads and writes: the ping log, and the insights it builds pings from. */
export type PingWorkerStore = PingLogStore & {
  readonly kind: StoreKind
  readonly insights?: InsightsStore | undefined
}

export interface PingWorkerOptions {
  store: PingWorkerStore
  /** Pings leave in `redact` and `full` modes, never in `off`. @default 'redact' */
  mode?: ExportMode
  /** Base URL of the gateway; pings go to `<gatewayUrl>/v1/pings`. Required unless `off`. */
  gatewayUrl?: string
  /** The ping's `instance`, and the `x-tally-instance` header. Required unless `off`. */
  instanceId?: string
  /** Sent as a bearer token. Required unless `off`. */
  instanceKey?: string
  /** @default Tally's own version */
  version?: string
  /**
   * How many completed days back a run looks for days not yet acknowledged: an instance down
   * longer loses the oldest, which the gateway could no longer place in its 30-day views anyway.
   * @default 30
   */
  maxMissedDays?: number
  /**
   * How long after midnight UTC the day's ping is built, so that events recorded just before
   * midnight and sent a little later are in it.
   * @default 15 minutes
   */
  settleMs?: number
  /** How many days of the ping log are kept. @default 400 */
  logDays?: number
  /** @default 60_000 */
  requestTimeoutMs?: number
  /** Bound on the gateway's answer after decoding. @default 64 KiB */
  maxAnswerBytes?: number
  /** First retry delay ceiling after a failed run; doubles each failure. @default 1_000 */
  initialRetryDelayMs?: number
  /** @default 600_000 */
  maxRetryDelayMs?: number
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** @default () => new Date() */
  now?: () => Date
  /** Draws for the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number
  onLog?: (entry: ExportLogEntry) => void
}

export interface ResolvedPingOptions {
  store: PingLogStore
  insights: InsightsStore
  storeKind: PingStoreKind
  mode: ExportMode
  /** Undefined in `off` mode. */
  gateway: { url: URL; instanceId: string; instanceKey: string } | undefined
  version: string
  maxMissedDays: number
  settleMs: number
  logDays: number
  requestTimeoutMs: number
  maxAnswerBytes: number
  initialRetryDelayMs: number
  maxRetryDelayMs: number
  fetch: typeof globalThis.fetch
  now: () => Date
  random: () => number
  onLog: (entry: ExportLogEntry) => void
}

const hourMs = 60 * 60_000
// Node's timers take at most 2^31-1 ms and fire at once past it.
const maxTimerMs = 2 ** 31 - 1

/**
 * Applies the defaults; throws an InvalidSettingError for an option that cannot work, and a
 * TypeError for a store that keeps no insights (the memory double): there is nothing to ping.
 */
export function normalizePingOptions(options: PingWorkerOptions): ResolvedPingOptions {
  const { store } = options
  if (store.insights === undefined || store.kind === 'memory') {
    throw new TypeError(
      'the daily ping needs a SQLite or PostgreSQL store, which keep the insights',
    )
  }
  const mode: string = options.mode ?? 'redact'
  if (mode !== 'redact' && mode !== 'full' && mode !== 'off') {
    throw new InvalidSettingError(
      'mode',
      `Invalid ping option mode: ${JSON.stringify(mode)} is not redact, full or off`,
    )
  }
  return {
    store,
    insights: store.insights,
    storeKind: store.kind,
    mode,
    gateway: mode === 'off' ? undefined : resolveGateway(options),
    version: options.version ?? tallyVersion,
    maxMissedDays: whole('maxMissedDays', options.maxMissedDays ?? 30, 1, 400),
    settleMs: whole('settleMs', options.settleMs ?? hourMs / 4, 0, 12 * hourMs),
    logDays: whole('logDays', options.logDays ?? 400, 1, 100_000),
    requestTimeoutMs: whole('requestTimeoutMs', options.requestTimeoutMs ?? 60_000, 1, maxTimerMs),
    maxAnswerBytes: whole('maxAnswerBytes', options.maxAnswerBytes ?? 64 * 1024, 1024),
    initialRetryDelayMs: whole(
      'initialRetryDelayMs',
      options.initialRetryDelayMs ?? 1_000,
      1,
      maxTimerMs,
    ),
    maxRetryDelayMs: whole(
      'maxRetryDelayMs',
      options.maxRetryDelayMs ?? 10 * 60_000,
      1,
      maxTimerMs,
    ),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    onLog: options.onLog ?? (() => undefined),
  }
}

function resolveGateway(options: PingWorkerOptions): NonNullable<ResolvedPingOptions['gateway']> {
  const { gatewayUrl, instanceId, instanceKey } = options
  if (gatewayUrl === undefined) {
    throw new InvalidSettingError('gatewayUrl', 'Invalid ping option gatewayUrl: required')
  }
  const url = gatewayPingsUrl(gatewayUrl)
  if (instanceKey === undefined || instanceKey.length === 0 || /[\r\n]/.test(instanceKey)) {
    throw new InvalidSettingError(
      'instanceKey',
      'Invalid ping option instanceKey: required, one line of text',
    )
  }
  // The instance id is in the ping itself, which a gateway checks against this pattern.
  if (instanceId === undefined || !instancePattern.test(instanceId)) {
    throw new InvalidSettingError(
      'instanceId',
      'Invalid ping option instanceId: required, letters, digits, . _ - (at most 64)',
    )
  }
  return { url, instanceId, instanceKey }
}

function whole(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidSettingError(
      name,
      `Invalid ping option ${name}: ${value} must be a whole number from ${min} to ${max}`,
    )
  }
  return value
}
