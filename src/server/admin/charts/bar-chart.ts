import { html, type Html } from '../html.js'
import { chartFigure, spreadIndexes, xLabels, yAxis } from './axes.js'
import { defaultChartWidth, frame, niceMax, plotHeight, plotWidthOf, round, yOf } from './scale.js'

export interface Bar {
  label: string
  value: number
}

export interface BarChart {
  label: string
  unit: string
  bars: readonly Bar[]
  color: string
  /** A dashed vertical line before the bar at this index, labelled (the power-user line). */
  marker?: { beforeIndex: number; label: string } | undefined
  /** At most this many x labels, evenly spread. @default 10 */
  maxXLabels?: number
  /** What the x axis counts, written at its end (`active days of 30`). */
  xCaption?: string
  /** The viewBox's width: 1200 for a chart across the page. @default 720 */
  width?: number
  testId: string
}

/** One bar per entry from 0 up, each with its label and value as a tooltip. */
export function barChart(chart: BarChart): Html {
  const { bars, marker } = chart
  const chartWidth = chart.width ?? defaultChartWidth
  const max = niceMax(Math.max(0, ...bars.map(bar => bar.value)))
  const slot = plotWidthOf(chartWidth) / Math.max(1, bars.length)
  const width = slot * 0.75
  const xOf = (index: number) => frame.left + index * slot + (slot - width) / 2
  const labelled = spreadIndexes(bars.length, chart.maxXLabels ?? 10).map(index => ({
    x: xOf(index) + width / 2,
    text: bars[index]?.label ?? '',
  }))
  const markerX = marker === undefined ? 0 : frame.left + marker.beforeIndex * slot
  return chartFigure(
    chart,
    chartWidth,
    html`${yAxis(max, chart.unit, chartWidth)} ${xLabels(labelled, chartWidth, chart.xCaption)}
    ${bars.map(
      (bar, index) =>
        html`<rect
          x="${round(xOf(index))}"
          y="${round(yOf(bar.value, max))}"
          width="${round(width)}"
          height="${round((bar.value / max) * plotHeight)}"
          fill="${chart.color}"
          data-bar="${bar.label}"
          data-value="${bar.value}"
          ><title>${bar.label}: ${bar.value}</title></rect
        >`,
    )}
    ${
      marker !== undefined &&
      html`<g data-testid="${chart.testId}-marker">
        <line
          x1="${round(markerX)}"
          x2="${round(markerX)}"
          y1="${frame.top}"
          y2="${frame.top + plotHeight}"
          stroke="#b42318"
          stroke-width="1.5"
          stroke-dasharray="4 3"
        />
        <text x="${round(markerX + 4)}" y="${frame.top + 12}" font-size="12" fill="#b42318"
          >${marker.label}</text
        >
      </g>`
    }`,
  )
}
