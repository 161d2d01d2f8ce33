import type { ExportMode } from '../../protocol/config.js'
import {
  lastErrorSamples,
  prometheusContentType,
  renderFamilies,
  timestampSamples,
  type Family,
} from '../prometheus.js'
import type { GatewayErrorClass } from './gateway-client.js'

/**
 * What kind of failure ended an export run: the gateway client's classes, a batch the gateway
 * found too large (413), an answer that acknowledged nothing sent, or the store.
 */
export type ExportErrorClass =
  GatewayErrorClass | 'batch-too-large' | 'no-acknowledgement' | 'store'

/** The export worker's health, for `GET /metrics` and the admin pages. */
export interface ExportMetrics {
  mode: ExportMode
  /** Rows neither exported nor refused by the gateway, as of `backlogAt`. */
  backlog: number
  /** Age of the oldest row in the backlog, in seconds; 0 when the backlog is empty. */
  oldestUnexportedAgeSeconds: number
  /** When the backlog figures were read from the store; null before the first read. */
  backlogAt: Date | null
  /** `message` names the gateway by host and says what happened; `errorClass` is for labels. */
  lastError: { message: string; errorClass: ExportErrorClass; at: Date } | null
  lastSuccessAt: Date | null
  /** Runs since start, each one retention plus (unless `off`) one batch. */
  runs: number
  /** Runs whose batch did not reach the gateway or was not acknowledged. */
  failedRuns: number
  /** Failed runs in a row; 0 after a success. */
  consecutiveFailures: number
  /** Events the gateway acknowledged. */
  exported: number
  /** Events the gateway refused; they are never sent again. */
  rejected: number
  /** Rows deleted by retention, by rule. */
  pruned: { exported: number; unexported: number }
}

/** Renders the metrics in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(metrics: ExportMetrics): string {
  const families: Family[] = [
    {
      name: 'tally_export_mode',
      help: 'The export mode in force (redact, full or off).',
      type: 'gauge',
      samples: (['redact', 'full', 'off'] as const).map(mode => ({
        labels: { mode },
        value: mode === metrics.mode ? 1 : 0,
      })),
    },
    {
      name: 'tally_export_backlog',
      help: 'Stored events neither exported nor refused by the gateway.',
      type: 'gauge',
      samples: [{ value: metrics.backlog }],
    },
    {
      name: 'tally_export_oldest_unexported_age_seconds',
      help: 'Age of the oldest event not exported yet; 0 when there is none.',
      type: 'gauge',
      samples: [{ value: metrics.oldestUnexportedAgeSeconds }],
    },
    {
      name: 'tally_export_last_error_timestamp_seconds',
      help: 'When the last export error happened, labelled with its class.',
      type: 'gauge',
      samples: lastErrorSamples(metrics.lastError),
    },
    {
      name: 'tally_export_last_success_timestamp_seconds',
      help: 'When the gateway last acknowledged a batch.',
      type: 'gauge',
      samples: timestampSamples(metrics.lastSuccessAt),
    },
    {
      name: 'tally_export_consecutive_failures',
      help: 'Failed export runs in a row.',
      type: 'gauge',
      samples: [{ value: metrics.consecutiveFailures }],
    },
    {
      name: 'tally_export_runs_total',
      help: 'Export runs (retention, then a batch unless the mode is off).',
      type: 'counter',
      samples: [{ value: metrics.runs }],
    },
    {
      name: 'tally_export_failed_runs_total',
      help: 'Export runs whose batch was not acknowledged.',
      type: 'counter',
      samples: [{ value: metrics.failedRuns }],
    },
    {
      name: 'tally_export_exported_events_total',
      help: 'Events the gateway acknowledged.',
      type: 'counter',
      samples: [{ value: metrics.exported }],
    },
    {
      name: 'tally_export_rejected_events_total',
      help: 'Events the gateway refused; they are never sent again.',
      type: 'counter',
      samples: [{ value: metrics.rejected }],
    },
    {
      name: 'tally_export_pruned_events_total',
      help: 'Events deleted by retention, by rule.',
      type: 'counter',
      samples: [
        { labels: { rule: 'exported' }, value: metrics.pruned.exported },
        { labels: { rule: 'unexported' }, value: metrics.pruned.unexported },
      ],
    },
  ]
  return renderFamilies(families)
}

export { prometheusContentType }
