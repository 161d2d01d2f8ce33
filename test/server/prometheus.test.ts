import { describe, expect, it } from 'vitest'
import { renderFamilies } from '../../src/server/prometheus.js'

describe('renderFamilies', () => {
  it('escapes backslashes, newlines and quotes in label values, and newlines in help', () => {
    const text = renderFamilies([
      {
        name: 'tally_example',
        help: 'first line\nsecond \\ line',
        type: 'gauge',
        samples: [{ labels: { reason: 'HTTP 503: "busy"\nretry\\later' }, value: 1 }],
      },
    ])
    expect(text.split('\n')).toEqual([
      '# HELP tally_example first line\\nsecond \\\\ line',
      '# TYPE tally_example gauge',
      'tally_example{reason="HTTP 503: \\"busy\\"\\nretry\\\\later"} 1',
      '',
    ])
  })

  it('writes NaN and infinities as the format spells them', () => {
    const text = renderFamilies([
      {
        name: 'tally_example',
        help: 'h',
        type: 'gauge',
        samples: [{ value: NaN }, { value: Infinity }, { value: -Infinity }],
      },
    ])
    expect(text).toContain('tally_example NaN\ntally_example +Inf\ntally_example -Inf\n')
  })
})
