import type { Ping } from '../../protocol/ping.js'
import { formatDay } from '../insights/days.js'
import { dayMs } from '../stores/rows.js'

/** Pings missing for this many days before today make an instance quiet. */
export const quietAfterDays = 2
/** How far back a declining instance's weekly users are compared. */
export const declineLookbackDays = 28

/** An instance whose activity fell, and why. */
export type FellInstance =
  | {
      reason: 'quiet'
      instance: string
      lastPingDay: string
    }
  | {
      reason: 'declining'
      instance: string
      lastPingDay: string
      /** Weekly users of its latest ping. */
      wau: number
      /** Weekly users of its ping 28 days before the latest. */
      wauBefore: number
    }

/**
 * The instances whose activity fell by `today` (a UTC day since the epoch), from each one's
 * latest ping up to today:
 *
 * - **quiet**: its latest ping is of a day before today − 2, so the pings of both days before
 *   today are missing (the ping of a day is sent once that day is over, so yesterday's may
 *   still be on its way, but not the day before's too);
 * - **declining**: not quiet, and the wau of its latest ping is less than half the wau of its
 *   own ping 28 days earlier (when there is one, with a wau above 0).
 *
 * `wauOf` gives the wau of an instance's ping of a day, undefined without one. Quiet ones come
 * first, then by instance id.
 */
export function fellInstances(
  latest: readonly Ping[],
  wauOf: (instance: string, day: string) => number | undefined,
  today: number,
): FellInstance[] {
  const quietBefore = formatDay(today - quietAfterDays)
  const quiet: FellInstance[] = []
  const declining: FellInstance[] = []
  for (const ping of [...latest].sort((a, b) => (a.instance < b.instance ? -1 : 1))) {
    if (ping.day < quietBefore) {
      quiet.push({ reason: 'quiet', instance: ping.instance, lastPingDay: ping.day })
      continue
    }
    const wauBefore = wauOf(ping.instance, lookbackDay(ping.day))
    if (wauBefore !== undefined && wauBefore > 0 && ping.wau * 2 < wauBefore) {
      declining.push({
        reason: 'declining',
        instance: ping.instance,
        lastPingDay: ping.day,
        wau: ping.wau,
        wauBefore,
      })
    }
  }
  return [...quiet, ...declining]
}

/** The day a latest ping of `day` is compared with, `declineLookbackDays` before it. */
export const lookbackDay = (day: string): string => formatDay(dayNumber(day) - declineLookbackDays)

/** `YYYY-MM-DD` as a UTC day since the epoch. */
export const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / dayMs
