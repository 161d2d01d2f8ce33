import { describe, expect, it } from 'vitest'
import { renderPrometheus, type ExportMetrics } from '../../../src/server/export/metrics.js'

const metrics: ExportMetrics = {
  mode: 'redact',
  backlog: 42,
  oldestUnexportedAgeSeconds: 12.5,
  backlogAt: new Date('2024-05-01T12:00:00Z'),
  lastError: {
    message:
      'network error reaching the gateway at user:secret@10.1.2.3:8443: connect ECONNREFUSED',
    errorClass: 'network',
    at: new Date('2024-05-01T11:59:00Z'),
  },
  lastSuccessAt: new Date('2024-05-01T11:58:00Z'),
  runs: 10,
  failedRuns: 2,
  consecutiveFailures: 1,
  exported: 1000,
  rejected: 3,
  pruned: { exported: 7, unexported: 1 },
}

describe('renderPrometheus', () => {
  const text = renderPrometheus(metrics)
  const lines = text.split('\n')

  it.each([
    ['tally_export_backlog 42'],
    ['tally_export_oldest_unexported_age_seconds 12.5'],
    ['tally_export_exported_events_total 1000'],
    ['tally_export_rejected_events_total 3'],
    ['tally_export_failed_runs_total 2'],
    ['tally_export_runs_total 10'],
    ['tally_export_consecutive_failures 1'],
    ['tally_export_pruned_events_total{rule="exported"} 7'],
    ['tally_export_pruned_events_total{rule="unexported"} 1'],
    ['tally_export_mode{mode="redact"} 1'],
    ['tally_export_mode{mode="off"} 0'],
    ['tally_export_last_success_timestamp_seconds 1714564680'],
  ])('has the sample %s', sample => {
    expect(lines).toContain(sample)
  })

  it('labels the last error with its class, never with its message or the address in it', () => {
    expect(lines).toContain('tally_export_last_error_timestamp_seconds{class="network"} 1714564740')
    expect(text).not.toContain('10.1.2.3')
    expect(text).not.toContain('secret')
  })

  it('opens every family with # HELP and # TYPE, and ends with a newline', () => {
    const names = new Set(
      lines
        .filter(line => line !== '' && !line.startsWith('#'))
        .map(line => /^[a-z_]+/.exec(line)?.[0]),
    )
    for (const name of names) {
      const help = lines.findIndex(line => line.startsWith(`# HELP ${String(name)} `))
      expect(help).toBeGreaterThanOrEqual(0)
      expect(lines[help + 1]).toMatch(new RegExp(`^# TYPE ${String(name)} (gauge|counter)$`))
    }
    expect(text.endsWith('\n')).toBe(true)
  })

  it('names counters with _total and every sample in the exposition grammar', () => {
    for (const line of lines.filter(line => line.startsWith('# TYPE'))) {
      const [, , name, type] = line.split(' ')
      if (type === 'counter') expect(name).toMatch(/_total$/)
    }
    for (const line of lines.filter(line => line !== '' && !line.startsWith('#'))) {
      expect(line).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="(?:[^"\\\n]|\\.)*"(,[a-z_]+="(?:[^"\\\n]|\\.)*")*\})? -?[0-9.e+]+$/,
      )
    }
  })

  it('leaves the error series out when there has been no error', () => {
    const clean = renderPrometheus({ ...metrics, lastError: null, lastSuccessAt: null })
    expect(clean).not.toMatch(/^tally_export_last_error_timestamp_seconds/m)
    expect(clean).not.toMatch(/^tally_export_last_success_timestamp_seconds/m)
    expect(clean).toContain('# TYPE tally_export_last_error_timestamp_seconds gauge')
  })
})
