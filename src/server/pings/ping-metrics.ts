import { lastErrorSamples, renderFamilies, timestampSamples, type Family } from '../prometheus.js'
import type { ExportErrorClass } from '../export/metrics.js'

/** Why a ping run did not get its days through: the gateway client's classes, or the store. */
export type PingErrorClass =
  | Extract<
      ExportErrorClass,
      | 'network'
      | 'timeout'
      | 'stopped'
      | 'http-4xx'
      | 'http-5xx'
      | 'bad-answer'
      | 'answer-too-large'
    >
  | 'no-acknowledgement'
  | 'store'

/** The ping worker's health, for `GET /metrics` and the admin page. */
export interface PingMetrics {
  /** Pings the gateway acknowledged since start. */
  sent: number
  /** Pings refused (by the gateway, or by the instance's own check): never sent again. */
  refused: number
  /** Runs since start that tried to send. */
  runs: number
  /** Runs that ended without their days acknowledged; they go again after a backoff. */
  failedRuns: number
  consecutiveFailures: number
  /** The last day acknowledged, `YYYY-MM-DD`. */
  lastSentDay: string | null
  lastSentAt: Date | null
  /** `message` names the gateway by host; `errorClass` is for labels. */
  lastError: { message: string; errorClass: PingErrorClass; at: Date } | null
}

/** The ping metrics in the Prometheus text format, beside the export's. */
export function renderPingPrometheus(metrics: PingMetrics): string {
  const families: Family[] = [
    {
      name: 'tally_ping_sent_total',
      help: 'Daily pings the gateway acknowledged.',
      type: 'counter',
      samples: [{ value: metrics.sent }],
    },
    {
      name: 'tally_ping_refused_total',
      help: 'Daily pings refused; they are never sent again.',
      type: 'counter',
      samples: [{ value: metrics.refused }],
    },
    {
      name: 'tally_ping_failed_runs_total',
      help: 'Ping runs whose pings were not acknowledged; they go again after a backoff.',
      type: 'counter',
      samples: [{ value: metrics.failedRuns }],
    },
    {
      name: 'tally_ping_last_error_timestamp_seconds',
      help: 'When the last ping error happened, labelled with its class.',
      type: 'gauge',
      samples: lastErrorSamples(metrics.lastError),
    },
    {
      name: 'tally_ping_last_sent_timestamp_seconds',
      help: 'When the gateway last acknowledged a ping.',
      type: 'gauge',
      samples: timestampSamples(metrics.lastSentAt),
    },
  ]
  return renderFamilies(families)
}
