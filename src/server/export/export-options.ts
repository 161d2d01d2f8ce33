import { emptyAllowlist, type Allowlist } from '../../protocol/export-redaction.js'
import type {
  ExportQueueStore,
  RetentionStore,
  ServerEventStore,
} from '../stores/server-event-store.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { gatewayEventsUrl } from './gateway-url.js'
import {
  maxTimerMs,
  normalizeUpstreamOptions,
  wholeSetting,
  type ResolvedUpstreamOptions,
  type UpstreamOptions,
} from './upstream-options.js'

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

export interface ExportWorkerOptions extends UpstreamOptions {
  store: ExportQueueStore & RetentionStore & Pick<ServerEventStore, 'insights'>
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
  /**
   * Bound on the gateway's answer, after decoding: acknowledgements of a full batch with a
   * reason for each refusal fit well inside it.
   * @default 4 MiB
   */
  maxAnswerBytes?: number
  retention?: ExportRetention
}

export interface ResolvedExportOptions extends ResolvedUpstreamOptions {
  store: ExportQueueStore & RetentionStore & Pick<ServerEventStore, 'insights'>
  allowlist: Allowlist
  maxBatchEvents: number
  maxBatchBytes: number
  intervalMs: number
  leaseMs: number
  retention: Required<ExportRetention>
}

const day = 24 * 60 * 60_000
const whole = wholeSetting('export')

/** Applies the defaults and throws an InvalidSettingError for an option that cannot work. */
export function normalizeExportOptions(options: ExportWorkerOptions): ResolvedExportOptions {
  const upstream = normalizeUpstreamOptions(options, {
    subject: 'export',
    endpoint: gatewayEventsUrl,
    maxAnswerBytes: 4 * 1024 * 1024,
  })
  // Checked even in `off` mode: a configured plain-HTTP URL is a mistake worth hearing about
  // before someone turns exports on.
  if (upstream.mode === 'off' && options.gatewayUrl !== undefined) {
    gatewayEventsUrl(options.gatewayUrl)
  }
  const resolved: ResolvedExportOptions = {
    ...upstream,
    store: options.store,
    allowlist: options.allowlist ?? emptyAllowlist,
    maxBatchEvents: whole('maxBatchEvents', options.maxBatchEvents ?? 5000, 1),
    maxBatchBytes: whole('maxBatchBytes', options.maxBatchBytes ?? 4 * 1024 * 1024, 1024),
    intervalMs: whole('intervalMs', options.intervalMs ?? 60_000, 1, maxTimerMs),
    leaseMs: whole('leaseMs', options.leaseMs ?? 5 * upstream.requestTimeoutMs, 1),
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
  }
  if (resolved.leaseMs <= resolved.requestTimeoutMs) {
    throw new InvalidSettingError(
      'leaseMs',
      `Invalid export option leaseMs: ${resolved.leaseMs} must exceed requestTimeoutMs (${resolved.requestTimeoutMs}), or a slow send could be claimed and sent twice`,
    )
  }
  return resolved
}
