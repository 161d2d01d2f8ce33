import { describe, expect, it } from 'vitest'
import { renderPingPrometheus, type PingMetrics } from '../../../src/server/pings/ping-metrics.js'

const metrics: PingMetrics = {
  sent: 31,
  refused: 2,
  runs: 9,
  failedRuns: 4,
  consecutiveFailures: 1,
  lastSentDay: '2026-11-20',
  lastSentAt: new Date(Date.UTC(2026, 10, 21, 0, 15)),
  lastError: {
    message: 'HTTP 503 from gateway.example.com',
    errorClass: 'http-5xx',
    at: new Date(Date.UTC(2026, 10, 22, 0, 15, 30)),
  },
}

describe('renderPingPrometheus', () => {
  it('counts pings sent, refused and failed runs, and labels the last error by class alone', () => {
    const text = renderPingPrometheus(metrics)
    expect(text).toMatch(/^tally_ping_sent_total 31$/m)
    expect(text).toMatch(/^tally_ping_refused_total 2$/m)
    expect(text).toMatch(/^tally_ping_failed_runs_total 4$/m)
    expect(text).toMatch(/^# TYPE tally_ping_sent_total counter$/m)
    expect(text).toMatch(
      new RegExp(
        `^tally_ping_last_error_timestamp_seconds\\{class="http-5xx"\\} ${Date.UTC(2026, 10, 22, 0, 15, 30) / 1000}$`,
        'm',
      ),
    )
    expect(text).toMatch(
      new RegExp(
        `^tally_ping_last_sent_timestamp_seconds ${Date.UTC(2026, 10, 21, 0, 15) / 1000}$`,
        'm',
      ),
    )
    // The message names the gateway: it never becomes a label.
    expect(text).not.toContain('gateway.example.com')
  })

  it('has no samples for an error or a success that never happened', () => {
    const text = renderPingPrometheus({ ...metrics, lastError: null, lastSentAt: null })
    expect(text).not.toMatch(/^tally_ping_last_error_timestamp_seconds[ {]/m)
    expect(text).not.toMatch(/^tally_ping_last_sent_timestamp_seconds /m)
  })
})
