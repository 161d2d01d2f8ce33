import { describe, expect, it } from 'vitest'
import { barChart } from '../../../../src/server/admin/charts/bar-chart.js'
import { lineChart } from '../../../../src/server/admin/charts/line-chart.js'
import { niceMax } from '../../../../src/server/admin/charts/scale.js'
import { stackedBarChart } from '../../../../src/server/admin/charts/stacked-bar-chart.js'
import { byTestId, one, text } from '../page-query.js'

const hostile = '<script>alert(1)</script>"\''

const count = (markup: string, pattern: RegExp) => markup.match(pattern)?.length ?? 0
const attributeValues = (markup: string, name: string) =>
  [...markup.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map(match => match[1])

describe('niceMax', () => {
  it.each([
    [0, 1],
    [1, 1],
    [7, 8],
    [12, 20],
    [21, 25],
    [27, 30],
    [45, 50],
    [101, 200],
    [0.3, 0.3],
  ])('rounds %s up to %s', (value, expected) => {
    expect(niceMax(value)).toBeCloseTo(expected, 10)
  })
})

describe('lineChart', () => {
  const chart = (labels: string[], names: string[] = ['dau', 'wau']) =>
    lineChart({
      label: 'Active users',
      unit: 'users',
      xLabels: labels,
      series: names.map((name, index) => ({
        name,
        color: '#000',
        values: labels.map((_, day) => day * (index + 1)),
      })),
      testId: 'chart',
    }).toString()

  it('draws one line and one point a label per series, with an accessible name', () => {
    const labels = Array.from(
      { length: 30 },
      (_, day) => `2026-08-${String(day + 1).padStart(2, '0')}`,
    )
    const markup = chart(labels)
    const svg = one(markup, 'chart')
    expect(svg.attributes).toMatchObject({ role: 'img', 'aria-label': 'Active users' })
    expect(svg.attributes.viewbox ?? markup.match(/viewBox="([^"]*)"/)?.[1]).toBe('0 0 720 230')
    expect(count(markup, /<polyline/g)).toBe(2)
    expect(count(markup, /<circle/g)).toBe(60)
    // The larger series reaches 58: the axis ends at the next round number.
    expect(one(markup, 'y-axis').attributes['data-max']).toBe('60')
    expect(text(one(markup, 'y-axis').inner)).toContain('30')
    const shown = [...one(markup, 'x-labels').inner.matchAll(/<text[^>]*>([^<]*)<\/text/g)].map(
      match => match[1]?.trim(),
    )
    expect(shown[0]).toBe('2026-08-01')
    expect(shown.at(-1)).toBe('2026-08-30')
    expect(shown.length).toBeLessThanOrEqual(6)
    expect(markup).toContain('<title>wau 2026-08-30: 58</title>')
    expect(text(markup)).toContain('dau')
  })

  it('escapes what it is given', () => {
    const markup = chart(['a', hostile], [hostile])
    expect(markup).not.toContain('<script>')
    expect(text(markup)).toContain(hostile)
  })
})

describe('barChart', () => {
  const bars = Array.from({ length: 30 }, (_, index) => ({
    label: String(index + 1),
    value: index % 3,
  }))

  it('draws a bar per entry with its value, and the marker before the one it names', () => {
    const markup = barChart({
      label: 'Activity',
      unit: 'users',
      bars,
      color: '#000',
      marker: { beforeIndex: 9, label: 'power users' },
      xCaption: 'active days of 30',
      testId: 'histogram',
    }).toString()
    expect(count(markup, /<rect/g)).toBe(30)
    expect(attributeValues(markup, 'data-value').map(Number)).toEqual(bars.map(bar => bar.value))
    expect(one(markup, 'y-axis').attributes['data-max']).toBe('2')
    const marker = one(markup, 'histogram-marker')
    expect(text(marker.inner)).toContain('power users')
    // The 10th bar's slot starts at 44 + 9 × (656 / 30).
    expect(marker.inner).toContain(`x1="${Math.round((44 + (9 * 656) / 30) * 10) / 10}"`)
    expect(text(one(markup, 'x-labels').inner)).toContain('active days of 30')
    expect(markup).toContain('<title>3: 2</title>')
  })

  it('draws an empty plot for no bars, and escapes hostile labels', () => {
    expect(
      count(
        barChart({
          label: 'none',
          unit: 'events',
          bars: [],
          color: '#000',
          testId: 'c',
        }).toString(),
        /<rect/g,
      ),
    ).toBe(0)
    const markup = barChart({
      label: hostile,
      unit: hostile,
      bars: [{ label: hostile, value: 3 }],
      color: '#000',
      testId: 'c',
    }).toString()
    expect(markup).not.toContain('<script>')
    expect(one(markup, 'c').attributes['aria-label']).toBe(hostile)
  })
})

describe('stackedBarChart', () => {
  it('stacks the up series above the zero line and the down series below it', () => {
    const markup = stackedBarChart({
      label: 'Lifecycle',
      up: [
        { name: 'new', color: '#00f' },
        { name: 'returning', color: '#0f0' },
      ],
      down: [{ name: 'dormant', color: '#f00' }],
      bars: [
        { label: '2026-08-03', values: [3, 4, 2] },
        { label: '2026-08-10', values: [1, 2, 9] },
      ],
      testId: 'lifecycle',
    }).toString()
    expect(byTestId(markup, 'lifecycle')).toHaveLength(1)
    expect(count(markup, /data-segment=/g)).toBe(6)
    expect(attributeValues(markup, 'data-value').map(Number)).toEqual([3, 4, 2, 1, 2, 9])
    // The larger of 7 up and 9 down sets both halves of the axis.
    expect(one(markup, 'y-axis').attributes['data-max']).toBe('10')
    expect(text(one(markup, 'y-axis').inner)).toMatch(/10\s*0\s*-10/)
    expect(markup).toContain('<title>2026-08-10 dormant: -9</title>')
    const heights = (name: string) =>
      [
        ...markup.matchAll(
          new RegExp(`height="([^"]*)"\\s+fill="[^"]*"\\s+data-segment="${name}"`, 'g'),
        ),
      ].map(m => Number(m[1]))
    // Half the plot (91 units) is 10 users.
    expect(heights('dormant')).toEqual([18.2, 81.9])
    expect(text(markup)).toContain('returning')
  })
})
