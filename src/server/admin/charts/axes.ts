import { html, type Html } from '../html.js'
import { frame, plotHeight, plotWidthOf, round, yOf } from './scale.js'

/**
 * A chart's figure: the SVG of `width` with its accessible name (and its tooltip title), then
 * what follows it in the figure (a legend).
 */
export function chartFigure(
  chart: { label: string; testId: string },
  width: number,
  drawing: Html,
  after?: Html,
): Html {
  return html`<figure class="chart">
    <svg
      viewBox="0 0 ${width} ${frame.height}"
      role="img"
      aria-label="${chart.label}"
      data-testid="${chart.testId}"
    >
      <title>${chart.label}</title>
      ${drawing}
    </svg>
    ${after}
  </figure>`
}

/** An axis's text: a tick value or a label, in the axes' size and colour. */
export function axisText(
  x: number,
  y: number,
  anchor: 'start' | 'middle' | 'end',
  text: string | number,
): Html {
  return html`<text
    x="${round(x)}"
    y="${round(y)}"
    text-anchor="${anchor}"
    font-size="12"
    fill="#5f6b7c"
    >${text}</text
  >`
}

/** The y axis from 0 to `max` with its grid lines, and what it counts above it. */
export function yAxis(max: number, label: string, width: number): Html {
  const plotWidth = plotWidthOf(width)
  const ticks = [0, max / 2, max]
  return html`<g class="axis" data-testid="y-axis" data-max="${max}">
    ${ticks.map(
      tick =>
        html`<line
            x1="${frame.left}"
            x2="${frame.left + plotWidth}"
            y1="${round(yOf(tick, max))}"
            y2="${round(yOf(tick, max))}"
            stroke="#dfe3ea"
          />${axisText(frame.left - 6, yOf(tick, max) + 4, 'end', formatTick(tick))}`,
    )}
    <text x="${frame.left}" y="${frame.top - 2}" font-size="10" fill="#5f6b7c">${label}</text>
  </g>`
}

/**
 * Labels under the plot at the given x positions (a few only, so that none overlap), anchored
 * inward near an edge so that none is cut. `caption`, when
 * given, says what the x axis counts, at its right end.
 */
export function xLabels(
  labels: readonly { x: number; text: string }[],
  width: number,
  caption?: string,
): Html {
  const y = frame.top + plotHeight + 18
  // About 7 units a character at 12 units a glyph: enough to keep a label inside the chart.
  const anchor = (x: number, text: string) =>
    x - text.length * 3.5 < 0 ? 'start' : x + text.length * 3.5 > width ? 'end' : 'middle'
  return html`<g class="axis" data-testid="x-labels">
    ${labels.map(({ x, text }) => axisText(x, y, anchor(x, text), text))}
    ${caption !== undefined && axisText(width - frame.right, frame.top - 6, 'end', caption)}
  </g>`
}

/** Indexes of at most `count` evenly spread items of `length`, the first and last included. */
export function spreadIndexes(length: number, count: number): number[] {
  if (length <= count) return Array.from({ length }, (_, index) => index)
  const step = (length - 1) / (count - 1)
  return Array.from({ length: count }, (_, index) => Math.round(index * step))
}

const formatTick = (value: number): string =>
  Number.isInteger(value) ? String(value) : value.toFixed(1)
