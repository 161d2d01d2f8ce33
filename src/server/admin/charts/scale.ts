/*
 * What the charts share: the plot's frame in viewBox units, and an axis maximum a reader can
 * count in (1, 2 or 5 times a power of ten).
 */

/** The frame every chart draws in; the SVG scales to its container through `viewBox`. */
export const frame = { width: 720, height: 220, left: 44, right: 12, top: 12, bottom: 28 }

export const plotWidth = frame.width - frame.left - frame.right
export const plotHeight = frame.height - frame.top - frame.bottom

/** The smallest 1, 2 or 5 × 10^k at or above `value`; 1 for nothing at all. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

/** The y coordinate of `value` on an axis from 0 to `max`. */
export const yOf = (value: number, max: number): number =>
  frame.top + plotHeight - (value / max) * plotHeight

/** Rounded to one decimal: enough for a viewBox of this size, and short markup. */
export const round = (value: number): number => Math.round(value * 10) / 10
