import { renderFamilies } from './prometheus.js'

/** Counters of the ingest path, rendered in the Prometheus text format. */
export function createIngestMetrics() {
  const requests = new Map<number, number>()
  const counts = { stored: 0, duplicate: 0, rejected: 0 }
  return {
    request(status: number) {
      requests.set(status, (requests.get(status) ?? 0) + 1)
    },
    events(stored: number, duplicate: number, rejected: number) {
      counts.stored += stored
      counts.duplicate += duplicate
      counts.rejected += rejected
    },
    /** Totals since start, for the CLI's log line. */
    totals: () => ({ ...counts }),
    render: (): string =>
      renderFamilies([
        {
          name: 'tally_ingest_requests_total',
          help: 'Event batches received, by HTTP status.',
          type: 'counter',
          samples: [...requests].map(([status, value]) => ({
            labels: { status: String(status) },
            value,
          })),
        },
        {
          name: 'tally_ingest_events_total',
          help: 'Events received, by outcome.',
          type: 'counter',
          samples: Object.entries(counts).map(([outcome, value]) => ({
            labels: { outcome },
            value,
          })),
        },
      ]),
  }
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>
