/*
 * What the charts share: the plot's frame in viewBox units, and an axis maximum a reader can
 * count in (a round step times a power of ten).
 */

/**
 * The frame every chart draws in, in viewBox units; the SVG scales to its container. A chart
 * is as wide as the column it sits in (720 for half the page, 1200 for all of it), so that
 * its text shows at about the page's size either way.
 */
export const frame = { height: 230, left: 44, right: 20, top: 18, bottom: 30 }

/** The width of a chart that sits in half the page. */
export const defaultChartWidth = 720

export const plotWidthOf = (width: number): number => width - frame.left - frame.right
export const plotHeight = frame.height - frame.top - frame.bottom

/** The smallest of 1, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at or above `value`; 1 for nothing at all. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of niceSteps) if (step * power >= value) return step * power
  return 10 * power
}

// Close enough that the tallest bar fills most of the plot; each halves to a readable tick.
const niceSteps = [1, 2, 2.5, 3, 4, 5, 6, 8, 10]

/** The y coordinate of `value` on an axis from 0 to `max`. */
export const yOf = (value: number, max: number): number =>
  frame.top + plotHeight - (value / max) * plotHeight

/** Rounded to one decimal: enough for a viewBox of this size, and short markup. */
export const round = (value: number): number => Math.round(value * 10) / 10
