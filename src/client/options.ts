import type { BillingMetadata } from '../protocol/event.js'
import { defaultScrubRules, type ScrubRule } from '../protocol/scrub-rules.js'
import { createScrubber, type Scrubber } from '../protocol/scrub.js'
import { InvalidOptionsError } from './errors/invalid-options-error.js'
import type { TallyError } from './errors/tally-error.js'
import type { EventProcessor } from './processors.js'
import type { EventStore } from './stores/event-store.js'
import type { Transport } from './transport/transport.js'

/** Options of `createTelemetry`. Every bound has a default, in `defaults` below. */
export interface TelemetryOptions {
  /** The app or extension recording events: becomes each event's `source`. */
  client: { name: string; version?: string }
  /** The instance backend. @default the page's origin in browsers */
  baseUrl?: string
  /** Sent as a bearer token (editor extensions); browsers rely on the session cookie instead. */
  accessToken?: string
  /** Where batches go. @default an HTTP transport to `baseUrl` */
  transport?: Transport
  /** The queue. @default IndexedDB in browsers, a file store on Node, memory where neither works */
  store?: EventStore
  /** Run on every event after the built-in ones, before scrubbing and validation. */
  processors?: readonly EventProcessor[]
  /** Scrubbing rules applied after the default ones (see docs/scrubbing.md). */
  scrubRules?: readonly ScrubRule[]
  /** Called for errors and drops, at most once per `errorIntervalMs` per kind; never the console. */
  onError?: (error: TallyError) => void
  /** Stamped on events that carry no billing metadata of their own. */
  billingMetadata?: BillingMetadata
  /** Called at record time for events without an `interactionId`. */
  interactionId?: () => string | undefined
  /** When false, nothing is recorded (each call is counted in `dropped.disabled`). @default true */
  enabled?: boolean
  /** Events a batch holds at most; a batch is sent at once when this many are queued. @default 100 */
  maxBatchEvents?: number
  /** Encoded bytes a batch holds at most. @default 262144 (256 KiB) */
  maxBatchBytes?: number
  /** How long a partial batch waits before it is sent. @default 5000 */
  flushIntervalMs?: number
  /** Events queued at most; past this the oldest are dropped and counted. @default 10000 */
  maxQueueEvents?: number
  /** Encoded bytes queued at most; past this the oldest are dropped and counted. @default 8388608 (8 MiB) */
  maxQueueBytes?: number
  /** Upper bound of the first retry's full-jitter delay; doubles each retry. @default 1000 */
  initialRetryDelayMs?: number
  /** Cap of the retry delay. @default 300000 (5 min) */
  maxRetryDelayMs?: number
  /** A session ends after this long without events. @default 1800000 (30 min) */
  sessionTimeoutMs?: number
  /** How long `shutdown()` may spend sending. @default 5000 */
  shutdownTimeoutMs?: number
  /** At most one error of a kind reaches `onError` in this interval. @default 60000 */
  errorIntervalMs?: number
}

/**
 * The largest value of any bound: setTimeout fires at once for delays past 2^31-1 ms (about
 * 24.8 days), and no count or byte bound needs more.
 */
const maxBound = 2 ** 31 - 1
/** Durations that may be 0 (send at once, give up at once, report every error); bounds may not. */
const mayBeZero = ['flushIntervalMs', 'shutdownTimeoutMs', 'errorIntervalMs']

/** The defaults, in one place (README's client options table lists them). */
export const defaults = {
  maxBatchEvents: 100,
  maxBatchBytes: 256 * 1024,
  flushIntervalMs: 5_000,
  maxQueueEvents: 10_000,
  maxQueueBytes: 8 * 1024 * 1024,
  initialRetryDelayMs: 1_000,
  maxRetryDelayMs: 5 * 60_000,
  sessionTimeoutMs: 30 * 60_000,
  shutdownTimeoutMs: 5_000,
  errorIntervalMs: 60_000,
} as const

/** The options with every default applied and every bound checked. */
export interface ResolvedTelemetryOptions {
  client: { name: string; version: string | undefined }
  baseUrl: string | undefined
  accessToken: string | undefined
  processors: readonly EventProcessor[]
  /** The default rules, then the user's. */
  scrub: Scrubber
  onError: ((error: TallyError) => void) | undefined
  billingMetadata: BillingMetadata | undefined
  interactionId: (() => string | undefined) | undefined
  enabled: boolean
  maxBatchEvents: number
  maxBatchBytes: number
  flushIntervalMs: number
  maxQueueEvents: number
  maxQueueBytes: number
  initialRetryDelayMs: number
  maxRetryDelayMs: number
  sessionTimeoutMs: number
  shutdownTimeoutMs: number
  errorIntervalMs: number
}

function buildScrubber(rules: readonly ScrubRule[]): Scrubber {
  try {
    return createScrubber([...defaultScrubRules, ...rules])
  } catch (error) {
    throw new InvalidOptionsError(
      'scrubRules',
      error instanceof Error ? error.message : String(error),
    )
  }
}

/**
 * Turns options into resolved options, throwing {@link InvalidOptionsError} for misuse: one
 * cheap check per option for plain-JS callers, since the types already hold TypeScript's.
 */
export function normalizeOptions(options: TelemetryOptions): ResolvedTelemetryOptions {
  const check = (ok: boolean, option: string, message: string) => {
    if (!ok) throw new InvalidOptionsError(option, message)
  }
  const client = (options as Partial<TelemetryOptions> | null | undefined)?.client
  check(typeof client?.name === 'string' && client.name !== '', 'client.name', 'must be a name')
  const bounds = {} as Record<keyof typeof defaults, number>
  for (const name of Object.keys(defaults) as (keyof typeof defaults)[]) {
    const value = options[name] ?? defaults[name]
    const least = mayBeZero.includes(name) ? 0 : 1
    check(
      Number.isInteger(value) && value >= least && value <= maxBound,
      name,
      `must be a whole number from ${least} to ${maxBound}`,
    )
    bounds[name] = value
  }
  check(bounds.maxBatchEvents <= bounds.maxQueueEvents, 'maxBatchEvents', 'is over maxQueueEvents')
  check(
    bounds.maxRetryDelayMs >= bounds.initialRetryDelayMs,
    'maxRetryDelayMs',
    'is under initialRetryDelayMs',
  )
  return {
    client: { name: (client as TelemetryOptions['client']).name, version: client?.version },
    baseUrl: options.baseUrl,
    accessToken: options.accessToken,
    processors: options.processors ?? [],
    scrub: buildScrubber(options.scrubRules ?? []),
    onError: options.onError,
    billingMetadata: options.billingMetadata,
    interactionId: options.interactionId,
    enabled: options.enabled ?? true,
    ...bounds,
  }
}
