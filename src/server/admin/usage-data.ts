import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { activeUsers } from '../insights/active-users.js'
import type {
  ActiveUsersAnswer,
  AtRiskAnswer,
  FeaturesAnswer,
  LifecycleAnswer,
  PowerUsersAnswer,
  RetentionAnswer,
  SessionsAnswer,
  MetadataFlagsAnswer,
  UserActivityAnswer,
} from '../insights/answers.js'
import { atRisk } from '../insights/at-risk.js'
import { dayOf } from '../insights/days.js'
import { features } from '../insights/features.js'
import { lifecycle } from '../insights/lifecycle.js'
import { metadataFlags } from '../insights/metadata-flags.js'
import { parsePowerUsers, type ParameterSource } from '../insights/parameters.js'
import { powerUsers } from '../insights/power-users.js'
import { retention } from '../insights/retention.js'
import { sessions } from '../insights/sessions.js'
import { userActivity } from '../insights/user-activity.js'
import type { InsightsStore } from '../stores/insights-store.js'
import { readExplorer, type Explorer } from './usage-explorer.js'
import { monthStart } from './usage-links.js'

/** The windows the page offers, in days. */
export const usageWindows = [7, 30, 90] as const
export type UsageWindow = (typeof usageWindows)[number]
export const defaultUsageWindow: UsageWindow = 30

/** The page's window and the days it spans: the `window` days ending today. */
export interface UsageSpan {
  window: UsageWindow
  /** UTC days since the epoch, inclusive. */
  from: number
  to: number
}

/** Everything the usage page shows, each figure a question's answer as the API answers it. */
export interface UsageData {
  span: UsageSpan
  computedAt: Date
  /** Active users at each day of the window, oldest first. */
  activeSeries: ActiveUsersAnswer[]
  minDays: number
  power: PowerUsersAnswer
  features: FeaturesAnswer
  /** The features of the window of equal length just before, for the trend. */
  previousFeatures: FeaturesAnswer
  sessions: SessionsAnswer
  /** The weeks lifecycle and retention show. */
  weeks: number
  lifecycle: LifecycleAnswer
  retention: RetentionAnswer
  atRisk: AtRiskAnswer
  explorer: Explorer
}

export interface UserUsageData {
  span: UsageSpan
  computedAt: Date
  activity: UserActivityAnswer
  /** The user's events with a numeric metadata key at 1, this month (month start … span end). */
  flags: MetadataFlagsAnswer
  /** The first day of `flags`' month. */
  flagsFrom: number
}

/** `?window=7|30|90`, 30 when absent. */
export function parseSpan(source: ParameterSource, today: number): UsageSpan {
  const text = source.get('window')
  const windowDays =
    text === undefined || text === ''
      ? defaultUsageWindow
      : usageWindows.find(days => String(days) === text)
  if (windowDays === undefined) {
    throw new InvalidParameterError('window', `window must be one of ${usageWindows.join(', ')}`)
  }
  return { window: windowDays, from: today - windowDays + 1, to: today }
}

/** Lifecycle and retention show the weeks of the window, and never fewer than 4. */
export const weeksOf = (windowDays: UsageWindow): number => Math.max(4, Math.ceil(windowDays / 7))

/**
 * Asks every question the page shows, with parameters parsed as the API parses them (the
 * same functions, from the same query names), so that a figure on the page is the API's.
 * Throws InvalidParameterError for a parameter that is not one.
 */
export async function readUsage(
  insights: InsightsStore,
  source: ParameterSource,
  now: Date,
): Promise<UsageData> {
  const span = parseSpan(source, dayOf(now))
  const { from, to } = span
  const windowDays = span.window
  // The histogram's window is its definition's: the 30 days ending at `at`.
  const powerParameters = parsePowerUsers(onlyNames(source, ['minDays']), to)
  const weeks = weeksOf(windowDays)
  const days = Array.from({ length: windowDays }, (_, index) => from + index)
  const [activeSeries, power, current, previous, sessionsAnswer, weekly, cohorts, risk, explorer] =
    await Promise.all([
      Promise.all(days.map(at => activeUsers(insights, { at }))),
      powerUsers(insights, powerParameters),
      features(insights, { from, to }),
      features(insights, { from: from - windowDays, to: from - 1 }),
      sessions(insights, { from, to }),
      lifecycle(insights, { at: to, weeks }),
      retention(insights, { at: to, weeks }),
      atRisk(insights, { at: to }),
      readExplorer(insights, source, span),
    ])
  return {
    span,
    computedAt: now,
    activeSeries,
    minDays: powerParameters.minDays,
    power,
    features: current,
    previousFeatures: previous,
    sessions: sessionsAnswer,
    weeks,
    lifecycle: weekly,
    retention: cohorts,
    atRisk: risk,
    explorer,
  }
}

/** One user's activity by feature over the page's window. */
export async function readUserUsage(
  insights: InsightsStore,
  source: ParameterSource,
  userId: number,
  now: Date,
): Promise<UserUsageData> {
  const span = parseSpan(source, dayOf(now))
  const flagsFrom = monthStart(span.to)
  const [activity, flags] = await Promise.all([
    userActivity(insights, { userId, from: span.from, to: span.to }),
    metadataFlags(insights, { userId, from: flagsFrom, to: span.to }),
  ])
  return { span, computedAt: now, activity, flags, flagsFrom }
}

/** The source with only `names` visible: the page's `from`/`to` belong to the explorer. */
function onlyNames(source: ParameterSource, names: readonly string[]): ParameterSource {
  return {
    get: name => (names.includes(name) ? source.get(name) : undefined),
    all: name => (names.includes(name) ? source.all(name) : []),
  }
}
