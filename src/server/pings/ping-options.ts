import type { ExportMode } from '../../protocol/config.js'
import { instancePattern, type PingStoreKind } from '../../protocol/ping.js'
import { gatewayPingsUrl } from '../export/gateway-url.js'
import {
  normalizeUpstreamOptions,
  wholeSetting,
  type ResolvedUpstreamOptions,
  type UpstreamOptions,
} from '../export/upstream-options.js'
import type { InsightsStore } from '../stores/insights-store.js'
import type { PingLogStore, StoreKind } from '../stores/server-event-store.js'
import { tallyVersion } from '../tally-version.js'

/** What the ping worker reads and writes: the ping log, and the insights it builds pings from. */
export type PingWorkerStore = PingLogStore & {
  readonly kind: StoreKind
  readonly insights?: InsightsStore | undefined
}

export interface PingWorkerOptions extends UpstreamOptions {
  store: PingWorkerStore
  /** Pings leave in `redact` and `full` modes, never in `off`. @default 'redact' */
  mode?: ExportMode
  /**
   * The ping's `instance`, and the `x-tally-instance` header: letters, digits, `.`, `_`, `-`,
   * at most 64. Required unless `off`.
   */
  instanceId?: string
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
  /** Bound on the gateway's answer after decoding. @default 64 KiB */
  maxAnswerBytes?: number
}

export interface ResolvedPingOptions extends ResolvedUpstreamOptions {
  store: PingLogStore
  insights: InsightsStore
  storeKind: PingStoreKind
  version: string
  maxMissedDays: number
  settleMs: number
  logDays: number
}

const hourMs = 60 * 60_000
const whole = wholeSetting('ping')

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
  const upstream = normalizeUpstreamOptions(options, {
    subject: 'ping',
    endpoint: gatewayPingsUrl,
    maxAnswerBytes: 64 * 1024,
    // The instance id is in the ping itself, which a gateway checks against this pattern.
    instanceId: {
      test: id => instancePattern.test(id),
      rule: 'letters, digits, . _ - (at most 64)',
    },
  })
  return {
    ...upstream,
    store,
    insights: store.insights,
    storeKind: store.kind,
    version: options.version ?? tallyVersion,
    maxMissedDays: whole('maxMissedDays', options.maxMissedDays ?? 30, 1, 400),
    settleMs: whole('settleMs', options.settleMs ?? hourMs / 4, 0, 12 * hourMs),
    logDays: whole('logDays', options.logDays ?? 400, 1, 100_000),
  }
}
