import { formatDay, startOfDay } from '../insights/days.js'
import { dayMs } from '../stores/rows.js'
import type { ExplorerGroup } from './usage-explorer.js'

/**
 * Where a set of usage pages lives, so that one rendering serves the instance's admin
 * (`/admin/usage`, over its own store) and the gateway's fleet page (`/instances/<id>`, over the
 * events that instance exported): every link and form of the pages is built from it.
 */
export interface UsagePlace {
  /** The usage page's path; a user's page is `<path>/users/<id>`. */
  path: string
  /** The header's way back to the page the usage pages hang from. */
  home: { href: string; label: string }
  /** What each page's title ends with: `Tally admin`, `acme · Tally fleet`. */
  title: string
}

/** The instance admin's usage pages, under the admin routes at `basePath`. */
export const adminUsagePlace = (basePath: string): UsagePlace => ({
  path: `${basePath}/usage`,
  home: { href: basePath, label: 'Admin' },
  title: 'Tally admin',
})

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
export function usageHref(usagePath: string, windowDays: number, explorer?: ExplorerLink): string {
  const query = new URLSearchParams({ window: String(windowDays) })
  if (explorer === undefined) return `${usagePath}?${query.toString()}`
  const { feature, action, user, where = [], from, to, group } = explorer
  if (feature !== undefined) query.set('feature', feature)
  if (action !== undefined) query.set('action', action)
  if (user !== undefined) query.set('user', String(user))
  for (const filter of where) query.append('where', filter)
  if (from !== undefined) query.set('from', formatDay(from))
  if (to !== undefined) query.set('to', formatDay(to))
  if (group !== undefined) query.set('group', group)
  return `${usagePath}?${query.toString()}#explorer`
}

/** A user's activity by feature, over the same window. */
export const userHref = (usagePath: string, userId: number, windowDays: number): string =>
  `${usagePath}/users/${userId}?window=${windowDays}`

/** The first day of the month holding `day`: "this month" in the explorer's links. */
export function monthStart(day: number): number {
  const date = startOfDay(day)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / dayMs
}
