import type { ExportMode } from '../../protocol/config.js'
import { emptyAllowlist, type Allowlist } from '../../protocol/export-redaction.js'
import type {
  ExportQueueStore,
  RetentionStore,
  ServerEventStore,
} from '../stores/server-event-store.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { gatewayEventsUrl } from './gateway-url.js'

export interface ExportRetention {
  /**
   * How long exported (or refused) rows stay, from receipt: the insights that read raw
   * events (sessions, events filtered on metadata) reach back this far.
   * @default 90 days
   */
  exportedMs?: number
  /**
   * How long unexported rows stay, from receipt: with exports off, or while the gateway cannot
   * be reached, the raw events are kept as long as exported ones.
   * @default 90 days
   */
  unexportedMs?: number
  /**
   * How long the insights' daily rollups stay, by the day of the events they count: active
   * users, features, at-risk, lifecycle and retention are exact this far back.
   * @default 400 days
   */
  rollupsMs?: number
  /**
   * Bound on the backlog: the oldest unexported rows beyond it are deleted (and counted).
   * @default 1_000_000
   */
  maxUnexported?: number
}

/** A line for the operator's log; the worker never writes to the console itself. */
export interface ExportLogEntry {
  level: 'info' | 'warn'
  message: string
}

export interface ExportWorkerOptions {
  store: ExportQueueStore & RetentionStore & Pick<ServerEventStore, 'insights'>
  /**
   * Base URL of the gateway; events go to `<gatewayUrl>/v1/events`. HTTPS, or plain HTTP to a
   * loopback host. Required unless `mode` is `off`.
   */
  gatewayUrl?: string
  /** Sent as `x-tally-instance`. Required unless `mode` is `off`. */
  instanceId?: string
  /** Sent as a bearer token. Required unless `mode` is `off`. */
  instanceKey?: string
  /** @default 'redact' */
  mode?: ExportMode
  /** privateMetadata keys that may leave in `redact` mode. @default no key */
  allowlist?: Allowlist
  /** @default 5000 */
  maxBatchEvents?: number
  /**
   * Bound on a request body's bytes; a batch past it is cut and the rest goes next. It keeps a
   * batch of large events under the gateway's body limit.
   * @default 4 MiB
   */
  maxBatchBytes?: number
  /** @default 60_000 */
  intervalMs?: number
  /**
   * How long a claimed row is reserved for this worker: past it another exporter may take it,
   * which is also when rows claimed by an exporter that died go out again. Must exceed
   * `requestTimeoutMs`, or a slow send could be duplicated.
   * @default 5 × requestTimeoutMs (300_000)
   */
  leaseMs?: number
  /** @default 60_000 */
  requestTimeoutMs?: number
  /**
   * Bound on the gateway's answer, after decoding: acknowledgements of a full batch with a
   * reason for each refusal fit well inside it.
   * @default 4 MiB
   */
  maxAnswerBytes?: number
  /** First retry delay ceiling after a failed run; doubles each failure. @default 1_000 */
  initialRetryDelayMs?: number
  /** @default 600_000 */
  maxRetryDelayMs?: number
  retention?: ExportRetention
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** @default () => new Date() */
  now?: () => Date
  /** Draws for the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number
  onLog?: (entry: ExportLogEntry) => void
}

export interface ResolvedExportOptions {
  store: ExportQueueStore & RetentionStore & Pick<ServerEventStore, 'insights'>
  mode: ExportMode
  allowlist: Allowlist
  /** Undefined in `off` mode when no gateway was configured. */
  gateway: { url: URL; instanceId: string; instanceKey: string } | undefined
  maxBatchEvents: number
  maxBatchBytes: number
  intervalMs: number
  leaseMs: number
  requestTimeoutMs: number
  maxAnswerBytes: number
  initialRetryDelayMs: number
  maxRetryDelayMs: number
  retention: Required<ExportRetention>
  fetch: typeof globalThis.fetch
  now: () => Date
  random: () => number
  onLog: (entry: ExportLogEntry) => void
}

const day = 24 * 60 * 60_000

/** Applies the defaults and throws an InvalidSettingError for an option that cannot work. */
export function normalizeExportOptions(options: ExportWorkerOptions): ResolvedExportOptions {
  // Widened: options often come from flags or the environment, past the type's reach.
  const mode: string = options.mode ?? 'redact'
  if (mode !== 'redact' && mode !== 'full' && mode !== 'off') {
    throw new InvalidSettingError(
      'mode',
      `Invalid export option mode: ${JSON.stringify(mode)} is not redact, full or off`,
    )
  }
  const requestTimeoutMs = whole(
    'requestTimeoutMs',
    options.requestTimeoutMs ?? 60_000,
    1,
    maxTimerMs,
  )
  const resolved: ResolvedExportOptions = {
    store: options.store,
    mode,
    allowlist: options.allowlist ?? emptyAllowlist,
    gateway: resolveGateway(options, mode),
    maxBatchEvents: whole('maxBatchEvents', options.maxBatchEvents ?? 5000, 1),
    maxBatchBytes: whole('maxBatchBytes', options.maxBatchBytes ?? 4 * 1024 * 1024, 1024),
    intervalMs: whole('intervalMs', options.intervalMs ?? 60_000, 1, maxTimerMs),
    leaseMs: whole('leaseMs', options.leaseMs ?? 5 * requestTimeoutMs, 1),
    requestTimeoutMs,
    maxAnswerBytes: whole('maxAnswerBytes', options.maxAnswerBytes ?? 4 * 1024 * 1024, 1024),
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
    retention: {
      exportedMs: whole('retention.exportedMs', options.retention?.exportedMs ?? 90 * day, 0),
      unexportedMs: whole('retention.unexportedMs', options.retention?.unexportedMs ?? 90 * day, 0),
      rollupsMs: whole('retention.rollupsMs', options.retention?.rollupsMs ?? 400 * day, 0),
      maxUnexported: whole(
        'retention.maxUnexported',
        options.retention?.maxUnexported ?? 1_000_000,
        0,
      ),
    },
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    onLog: options.onLog ?? (() => undefined),
  }
  if (resolved.leaseMs <= resolved.requestTimeoutMs) {
    throw new InvalidSettingError(
      'leaseMs',
      `Invalid export option leaseMs: ${resolved.leaseMs} must exceed requestTimeoutMs (${resolved.requestTimeoutMs}), or a slow send could be claimed and sent twice`,
    )
  }
  return resolved
}

function resolveGateway(
  options: ExportWorkerOptions,
  mode: ExportMode,
): ResolvedExportOptions['gateway'] {
  const { gatewayUrl, instanceId, instanceKey } = options
  // Checked even in `off` mode: a configured plain-HTTP URL is a mistake worth hearing about
  // before someone turns exports on.
  const url = gatewayUrl === undefined ? undefined : gatewayEventsUrl(gatewayUrl)
  if (mode === 'off') {
    return url && instanceId !== undefined && instanceKey !== undefined
      ? { url, instanceId, instanceKey }
      : undefined
  }
  if (url === undefined) {
    throw new InvalidSettingError(
      'gatewayUrl',
      `Invalid export option gatewayUrl: required in ${mode} mode`,
    )
  }
  for (const [name, value] of [
    ['instanceId', instanceId],
    ['instanceKey', instanceKey],
  ] as const) {
    if (value === undefined || value.length === 0 || /[\r\n]/.test(value)) {
      throw new InvalidSettingError(
        name,
        `Invalid export option ${name}: required in ${mode} mode, one line of text`,
      )
    }
  }
  return { url, instanceId: instanceId as string, instanceKey: instanceKey as string }
}

// Node's timers take at most 2^31-1 ms and fire at once past it.
const maxTimerMs = 2 ** 31 - 1

function whole(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidSettingError(
      name,
      `Invalid export option ${name}: ${value} must be a whole number from ${min} to ${max}`,
    )
  }
  return value
}
