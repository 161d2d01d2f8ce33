import { html, type Html } from '../html.js'
import { chartFigure, spreadIndexes, xLabels, yAxis } from './axes.js'
import { legend, type Series } from './legend.js'
import { defaultChartWidth, frame, niceMax, plotWidthOf, round, yOf } from './scale.js'

export interface LineChart {
  /** What the chart shows, for screen readers and as its tooltip. */
  label: string
  /** What the y axis counts (`users`). */
  unit: string
  /** One label per point, left to right (days). */
  xLabels: readonly string[]
  series: readonly (Series & { values: readonly number[] })[]
  /** The viewBox's width: 1200 for a chart across the page. @default 720 */
  width?: number
  testId: string
}

/** Lines over shared x positions, one per series, each point with its value as a tooltip. */
export function lineChart(chart: LineChart): Html {
  const width = chart.width ?? defaultChartWidth
  const plotWidth = plotWidthOf(width)
  const count = chart.xLabels.length
  const max = niceMax(Math.max(0, ...chart.series.flatMap(series => series.values)))
  const xOf = (index: number) =>
    count <= 1 ? frame.left + plotWidth / 2 : frame.left + (index / (count - 1)) * plotWidth
  const labelled = spreadIndexes(count, Math.round(width / 120)).map(index => ({
    x: xOf(index),
    text: chart.xLabels[index] ?? '',
  }))
  return chartFigure(
    chart,
    width,
    html`${yAxis(max, chart.unit, width)} ${xLabels(labelled, width)}
    ${chart.series.map(
      series =>
        html`<g data-series="${series.name}">
          <polyline
            fill="none"
            stroke="${series.color}"
            stroke-width="2"
            points="${series.values
              .map((value, index) => `${round(xOf(index))},${round(yOf(value, max))}`)
              .join(' ')}"
          />
          ${series.values.map(
            (value, index) =>
              html`<circle
                cx="${round(xOf(index))}"
                cy="${round(yOf(value, max))}"
                r="2.5"
                fill="${series.color}"
                data-point="${value}"
                ><title>${series.name} ${chart.xLabels[index] ?? ''}: ${value}</title></circle
              >`,
          )}
        </g>`,
    )}`,
    legend(chart.series),
  )
}
