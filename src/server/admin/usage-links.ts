import { formatDay, startOfDay } from '../insights/days.js'
import { dayMs } from '../stores/rows.js'
import type { ExplorerGroup } from './usage-explorer.js'

/** What an explorer link fills in; absent fields stay empty. */
export interface ExplorerLink {
  feature?: string
  action?: string
  user?: number
  where?: readonly string[]
  from?: number
  to?: number
  group?: ExplorerGroup
}

/** The usage page for the window of `windowDays`, its explorer filled with `explorer`, scrolled to it. */
export function usageHref(basePath: string, windowDays: number, explorer?: ExplorerLink): string {
  const query = new URLSearchParams({ window: String(windowDays) })
  if (explorer === undefined) return `${basePath}/usage?${query.toString()}`
  const { feature, action, user, where = [], from, to, group } = explorer
  if (feature !== undefined) query.set('feature', feature)
  if (action !== undefined) query.set('action', action)
  if (user !== undefined) query.set('user', String(user))
  for (const filter of where) query.append('where', filter)
  if (from !== undefined) query.set('from', formatDay(from))
  if (to !== undefined) query.set('to', formatDay(to))
  if (group !== undefined) query.set('group', group)
  return `${basePath}/usage?${query.toString()}#explorer`
}

/** A user's activity by feature, over the same window. */
export const userHref = (basePath: string, userId: number, windowDays: number): string =>
  `${basePath}/usage/users/${userId}?window=${windowDays}`

/** The first day of the month holding `day`: "this month" in the explorer's links. */
export function monthStart(day: number): number {
  const date = startOfDay(day)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / dayMs
}
