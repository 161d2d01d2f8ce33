import { dayMs } from '../stores/rows.js'

/**
 * The last completed UTC day as of `now`, counting a day complete only `settleMs` after its
 * midnight (days since the epoch).
 */
export const lastCompletedDay = (now: Date, settleMs: number): number =>
  Math.floor((now.getTime() - settleMs) / dayMs) - 1

/** Milliseconds from `now` until the next day completes (its midnight plus `settleMs`). */
export const untilNextDayMs = (now: Date, settleMs: number): number =>
  (lastCompletedDay(now, settleMs) + 2) * dayMs + settleMs - now.getTime()

/**
 * The days whose ping is due, oldest first: the `maxMissedDays` completed days ending at
 * `last`, none before the store's first day, less those the gateway already answered.
 */
export function dueDays(
  last: number,
  maxMissedDays: number,
  firstDay: number | undefined,
  recorded: readonly number[],
): number[] {
  if (firstDay === undefined) return []
  const answered = new Set(recorded)
  const days: number[] = []
  for (let day = Math.max(last - maxMissedDays + 1, firstDay); day <= last; day++) {
    if (!answered.has(day)) days.push(day)
  }
  return days
}
