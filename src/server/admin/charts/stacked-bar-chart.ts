import { html, type Html } from '../html.js'
import { axisText, chartFigure, spreadIndexes, xLabels } from './axes.js'
import { legend, type Series } from './legend.js'
import { defaultChartWidth, frame, niceMax, plotHeight, plotWidthOf, round } from './scale.js'

export interface StackedBarChart {
  label: string
  /** Stacked upward from the zero line, in this order. */
  up: readonly Series[]
  /** Stacked downward from the zero line (dormant users: those lost). */
  down: readonly Series[]
  /** One per bar: the label, and a value per series of `up` then `down`. */
  bars: readonly { label: string; values: readonly number[] }[]
  /** The viewBox's width: 1200 for a chart across the page. @default 720 */
  width?: number
  testId: string
}

/**
 * Bars stacked above and below a zero line, as lifecycle charts show gains over losses. The
 * axis runs from −max to +max of the same nice maximum, so up and down compare at a glance.
 */
export function stackedBarChart(chart: StackedBarChart): Html {
  const { bars, up, down } = chart
  const upCount = up.length
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0)
  const max = niceMax(
    Math.max(
      0,
      ...bars.map(bar => sum(bar.values.slice(0, upCount))),
      ...bars.map(bar => sum(bar.values.slice(upCount))),
    ),
  )
  const zero = frame.top + plotHeight / 2
  const scale = plotHeight / 2 / max
  const chartWidth = chart.width ?? defaultChartWidth
  const plotWidth = plotWidthOf(chartWidth)
  const slot = plotWidth / Math.max(1, bars.length)
  const width = slot * 0.6
  const xOf = (index: number) => frame.left + index * slot + (slot - width) / 2
  const series = [...up, ...down]
  const segments = (bar: StackedBarChart['bars'][number], index: number) => {
    let above = zero
    let below = zero
    return series.map((entry, position) => {
      const value = bar.values[position] ?? 0
      const height = value * scale
      const isUp = position < upCount
      const y = isUp ? above - height : below
      if (isUp) above -= height
      else below += height
      return html`<rect
        x="${round(xOf(index))}"
        y="${round(y)}"
        width="${round(width)}"
        height="${round(height)}"
        fill="${entry.color}"
        data-segment="${entry.name}"
        data-value="${value}"
        ><title>${bar.label} ${entry.name}: ${isUp ? value : -value}</title></rect
      >`
    })
  }
  const labelled = spreadIndexes(bars.length, 8).map(index => ({
    x: xOf(index) + width / 2,
    text: bars[index]?.label ?? '',
  }))
  const tick = (value: number, y: number) => axisText(frame.left - 6, y + 4, 'end', value)
  return chartFigure(
    chart,
    chartWidth,
    html`<g class="axis" data-testid="y-axis" data-max="${max}">
        ${tick(max, frame.top)} ${tick(0, zero)} ${tick(-max, frame.top + plotHeight)}
        <line
          x1="${frame.left}"
          x2="${frame.left + plotWidth}"
          y1="${zero}"
          y2="${zero}"
          stroke="#5f6b7c"
        />
      </g>
      ${xLabels(labelled, chartWidth)}
      ${bars.map((bar, index) => html`<g data-bar="${bar.label}">${segments(bar, index)}</g>`)}`,
    legend(series),
  )
}
