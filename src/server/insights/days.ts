import { dayMs } from '../stores/rows.js'

/*
 * The insights count UTC days as whole numbers since the epoch, as the rollups store them:
 * day arithmetic is integer arithmetic, and a window of N days ending at D is D-N+1 … D.
 */

/** The UTC day holding `date`. */
export const dayOf = (date: Date): number => Math.floor(date.getTime() / dayMs)

/** A day as `YYYY-MM-DD`. */
export const formatDay = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10)

/** The first millisecond of a day. */
export const startOfDay = (day: number): Date => new Date(day * dayMs)
