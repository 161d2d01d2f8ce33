import {
  maxPingFeatures,
  pingId,
  type Ping,
  type PingFeature,
  type PingFeatureTotal,
  type PingStoreKind,
} from '../../protocol/ping.js'
import { activeUsers } from '../insights/active-users.js'
import type { ActionCount, FeatureCount } from '../insights/answers.js'
import { formatDay } from '../insights/days.js'
import { featureActions } from '../insights/feature-actions.js'
import type { InsightsStore } from '../stores/insights-store.js'

export interface PingSubject {
  /** The instance id, as the gateway knows it. */
  instance: string
  /** The UTC day to summarize, in days since the epoch. */
  day: number
  version: string
  store: PingStoreKind
}

/** The month of a ping: the 30 days ending at its day, as mau counts them. */
export const pingMonthDays = 30

const zero = { events: 0, users: 0 }
const count = (entry: { events: number; users: number } | undefined) =>
  entry ? { events: entry.events, users: entry.users } : zero

/**
 * Keeps the `max` entries with the most events over the month (then by name), in their
 * order: a catalogue past the bound a gateway accepts loses its least used entries, not the
 * whole ping.
 */
function mostUsed<T extends { month: { events: number } }>(entries: T[], max: number): T[] {
  if (entries.length <= max) return entries
  const kept = new Set(
    [...entries.keys()]
      .sort((a, b) => (entries[b]?.month.events ?? 0) - (entries[a]?.month.events ?? 0) || a - b)
      .slice(0, max),
  )
  return entries.filter((_, index) => kept.has(index))
}

/**
 * The ping of one day, from the insights alone: the active-users question at that day, and
 * the feature-actions question for that day and for the 30 days ending it. Built from counts
 * and the rollups' feature and action names, so no user id, metadata or privateMetadata can
 * reach it.
 */
export async function buildPing(insights: InsightsStore, subject: PingSubject): Promise<Ping> {
  const { instance, day } = subject
  const [active, onDay, inMonth] = await Promise.all([
    activeUsers(insights, { at: day }),
    featureActions(insights, { from: day, to: day }),
    featureActions(insights, { from: day - pingMonthDays + 1, to: day }),
  ])
  const actionKey = (entry: ActionCount) => `${entry.feature}\n${entry.action}`
  const actionsOnDay = new Map(onDay.actions.map(entry => [actionKey(entry), entry]))
  const featuresOnDay = new Map(onDay.features.map(entry => [entry.feature, entry]))
  // The month holds the day, so its entries are every entry of the day too.
  const features: PingFeature[] = inMonth.actions.map(entry => ({
    feature: entry.feature,
    action: entry.action,
    day: count(actionsOnDay.get(actionKey(entry))),
    month: count(entry),
  }))
  const featureTotals: PingFeatureTotal[] = inMonth.features.map((entry: FeatureCount) => ({
    feature: entry.feature,
    day: count(featuresOnDay.get(entry.feature)),
    month: count(entry),
  }))
  const dayText = formatDay(day)
  return {
    id: pingId(instance, dayText),
    instance,
    day: dayText,
    version: subject.version,
    store: subject.store,
    dau: active.dau,
    wau: active.wau,
    mau: active.mau,
    stickiness: active.stickiness,
    features: mostUsed(features, maxPingFeatures),
    featureTotals: mostUsed(featureTotals, maxPingFeatures),
  }
}
