import type { ExportMode } from '../../protocol/config.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'

/** A line for the operator's log; the workers never write to the console themselves. */
export interface ExportLogEntry {
  level: 'info' | 'warn'
  message: string
}

/**
 * The options every worker that sends to the gateway shares (the export worker, the daily
 * ping): which gateway, as which instance, in which mode, and how patiently.
 */
export interface UpstreamOptions {
  /** @default 'redact' */
  mode?: ExportMode
  /**
   * Base URL of the gateway; events go to `<gatewayUrl>/v1/events`, pings to
   * `<gatewayUrl>/v1/pings`. HTTPS, or plain HTTP to a loopback host. Required unless `mode`
   * is `off`.
   */
  gatewayUrl?: string
  /** Sent as `x-tally-instance`. Required unless `mode` is `off`. */
  instanceId?: string
  /** Sent as a bearer token. Required unless `mode` is `off`. */
  instanceKey?: string
  /** @default 60_000 */
  requestTimeoutMs?: number
  /** Bound on the gateway's answer, after decoding. */
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

/** Where a worker sends, and as whom. */
export interface UpstreamGateway {
  url: URL
  instanceId: string
  instanceKey: string
}

export interface ResolvedUpstreamOptions {
  mode: ExportMode
  /** Undefined in `off` mode. */
  gateway: UpstreamGateway | undefined
  requestTimeoutMs: number
  maxAnswerBytes: number
  initialRetryDelayMs: number
  maxRetryDelayMs: number
  fetch: typeof globalThis.fetch
  now: () => Date
  random: () => number
  onLog: (entry: ExportLogEntry) => void
}

/** What one worker's upstream options differ in. */
export interface UpstreamKind {
  /** Names the worker in errors: `Invalid export option …`. */
  subject: 'export' | 'ping'
  /** The URL the worker posts to, from the base URL, which it checks (see gateway-url.ts). */
  endpoint: (gatewayUrl: string) => URL
  maxAnswerBytes: number
  /** How an instance id must read, and the rule an error states. @default one line of text */
  instanceId?: { test: (id: string) => boolean; rule: string }
}

/** Applies the shared defaults and throws an InvalidSettingError for an option that cannot work. */
export function normalizeUpstreamOptions(
  options: UpstreamOptions,
  kind: UpstreamKind,
): ResolvedUpstreamOptions {
  const whole = wholeSetting(kind.subject)
  // Widened: options often come from flags or the environment, past the type's reach.
  const mode: string = options.mode ?? 'redact'
  if (mode !== 'redact' && mode !== 'full' && mode !== 'off') {
    throw new InvalidSettingError(
      'mode',
      `Invalid ${kind.subject} option mode: ${JSON.stringify(mode)} is not redact, full or off`,
    )
  }
  return {
    mode,
    gateway: mode === 'off' ? undefined : resolveGateway(options, mode, kind),
    requestTimeoutMs: whole('requestTimeoutMs', options.requestTimeoutMs ?? 60_000, 1, maxTimerMs),
    maxAnswerBytes: whole('maxAnswerBytes', options.maxAnswerBytes ?? kind.maxAnswerBytes, 1024),
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

function resolveGateway(
  options: UpstreamOptions,
  mode: ExportMode,
  kind: UpstreamKind,
): UpstreamGateway {
  const { gatewayUrl, instanceId, instanceKey } = options
  const invalid = (name: string, rule: string) =>
    new InvalidSettingError(
      name,
      `Invalid ${kind.subject} option ${name}: required in ${mode} mode${rule}`,
    )
  if (gatewayUrl === undefined) throw invalid('gatewayUrl', '')
  const url = kind.endpoint(gatewayUrl)
  const oneLine = (value: string | undefined): value is string =>
    value !== undefined && value.length > 0 && !/[\r\n]/.test(value)
  const idRule = kind.instanceId ?? { test: oneLine, rule: 'one line of text' }
  if (instanceId === undefined || !idRule.test(instanceId)) {
    throw invalid('instanceId', `, ${idRule.rule}`)
  }
  if (!oneLine(instanceKey)) throw invalid('instanceKey', ', one line of text')
  return { url, instanceId, instanceKey }
}

// Node's timers take at most 2^31-1 ms and fire at once past it.
export const maxTimerMs = 2 ** 31 - 1

/**
 * Checks a whole-number option against its bounds, naming the worker in the error:
 * `wholeSetting('export')('maxBatchEvents', 0, 1)` throws.
 */
export function wholeSetting(subject: UpstreamKind['subject']) {
  return (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidSettingError(
        name,
        `Invalid ${subject} option ${name}: ${value} must be a whole number from ${min} to ${max}`,
      )
    }
    return value
  }
}
