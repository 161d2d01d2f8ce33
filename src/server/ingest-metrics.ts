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
    render(): string {
      const lines = [
        '# HELP tally_ingest_requests_total Event batches received, by HTTP status.',
        '# TYPE tally_ingest_requests_total counter',
        ...[...requests].map(
          ([status, n]) => `tally_ingest_requests_total{status="${status}"} ${n}`,
        ),
        '# HELP tally_ingest_events_total Events received, by outcome.',
        '# TYPE tally_ingest_events_total counter',
        ...Object.entries(counts).map(
          ([outcome, n]) => `tally_ingest_events_total{outcome="${outcome}"} ${n}`,
        ),
      ]
      return lines.join('\n') + '\n'
    },
  }
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>
