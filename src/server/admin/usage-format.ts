import { formatDay } from '../insights/days.js'

/** `2026-08-01 … 2026-08-30`, or one day alone. */
export const formatSpan = (from: number, to: number): string =>
  from === to ? formatDay(from) : `${formatDay(from)} … ${formatDay(to)}`

/** A share as a percentage with one decimal: `42.5%`; `–` when there is nothing to share. */
export const percent = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)}%`

/** A mean such as active days per user: two decimals at most, no trailing zeros. */
export const decimal = (value: number): string => String(Math.round(value * 100) / 100)
