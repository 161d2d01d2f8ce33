/**
 * The daily aggregated ping: one small summary per instance and UTC day, sent by the instance
 * to its gateway (`POST /v1/pings`) beside the events. Numbers and a closed set of names only:
 * Tally's version, the store kind, feature and action names. Never a user id, a metadata
 * string or anything from privateMetadata. Built and checked here only; see docs/protocol.md.
 */
import { limits, namePattern } from './event.js'
import { isPlainObject } from './plain-data.js'

/** Where a ping is sent, relative to the gateway's base URL. */
export const gatewayPingsPath = '/v1/pings'

/** Events and distinct users of one feature and action over some days. */
export interface PingCount {
  events: number
  users: number
}

/** One feature and action: on the ping's day, and over the 30 days ending it. */
export interface PingFeature {
  feature: string
  action: string
  day: PingCount
  month: PingCount
}

/**
 * One feature, all its actions together: its users cannot be summed from its actions' (one
 * user may use several), so they are counted once here. The fleet view's feature adoption
 * reads these.
 */
export interface PingFeatureTotal {
  feature: string
  day: PingCount
  month: PingCount
}

export type PingStoreKind = 'sqlite' | 'postgres'

export interface Ping {
  /** `pingId(instance, day)`: a resend of the same day is the same ping. */
  id: string
  instance: string
  /** The UTC day summarized, `YYYY-MM-DD`: the last completed day when it was built. */
  day: string
  /** Tally's version on the instance. */
  version: string
  store: PingStoreKind
  dau: number
  wau: number
  mau: number
  stickiness: number
  /** Per feature and action, sorted by feature then action. */
  features: PingFeature[]
  /** Per feature, sorted by feature. */
  featureTotals: PingFeatureTotal[]
}

/** Instance ids as gateways know them (the `ID` of `ID=KEY`). */
export const instancePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const dayPattern = /^\d{4}-\d{2}-\d{2}$/
/** Semantic versions, with a pre-release or build suffix. */
const versionPattern = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.-]{1,64})?$/
/** Far above any real catalogue of features × actions, low enough to bound a ping's size. */
export const maxPingFeatures = 2_000
/** A ping's encoded size at most: a gateway refuses a larger body before parsing it. */
export const maxPingBytes = 512 * 1024

/** The id of an instance's ping for a day: the same for every resend. */
export function pingId(instance: string, day: string): string {
  return `${instance}:${day}`
}

export type PingCheck = { ok: true; ping: Ping } | { ok: false; reason: string }

class PingProblem extends Error {}

function fail(reason: string): never {
  throw new PingProblem(reason)
}

function exactKeys(value: unknown, keys: readonly string[], path: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(`${path}: must be an object`)
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${path}.${key}: is not a ping field`)
  }
  for (const key of keys) {
    if (!(key in value)) fail(`${path}.${key}: is required`)
  }
  return value
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${path}: must be a whole number ≥ 0`)
  }
  return value
}

function ratio(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    fail(`${path}: must be a number from 0 to 1`)
  }
  return value
}

function name(value: unknown, path: string): string {
  if (
    typeof value !== 'string' ||
    value.length > limits.maxNameLength ||
    !namePattern.test(value)
  ) {
    fail(`${path}: must be a feature or action name`)
  }
  return value
}

function pingCount(value: unknown, path: string): PingCount {
  const object = exactKeys(value, ['events', 'users'], path)
  const events = count(object.events, `${path}.events`)
  const users = count(object.users, `${path}.users`)
  if (users > events) fail(`${path}.users: cannot exceed events`)
  return { events, users }
}

function list<T>(value: unknown, path: string, each: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) fail(`${path}: must be an array`)
  if (value.length > maxPingFeatures) fail(`${path}: at most ${maxPingFeatures} entries`)
  return value.map((item, index) => each(item, `${path}[${index}]`))
}

/**
 * Checks a ping as a gateway receives it (parsed JSON): every field present, no other field,
 * names and numbers only, its id derived from its instance and day. Returns a clean copy.
 */
export function checkPing(value: unknown): PingCheck {
  try {
    const object = exactKeys(
      value,
      [
        'id',
        'instance',
        'day',
        'version',
        'store',
        'dau',
        'wau',
        'mau',
        'stickiness',
        'features',
        'featureTotals',
      ],
      'ping',
    )
    const { instance, day, version, store } = object
    if (typeof instance !== 'string' || !instancePattern.test(instance)) {
      fail('ping.instance: must be an instance id (letters, digits, . _ -, at most 64)')
    }
    if (typeof day !== 'string' || !dayPattern.test(day) || !isCalendarDay(day)) {
      fail('ping.day: must be a day as YYYY-MM-DD')
    }
    if (object.id !== pingId(instance, day)) fail(`ping.id: must be ${pingId(instance, day)}`)
    if (typeof version !== 'string' || !versionPattern.test(version)) {
      fail('ping.version: must be a version such as 1.2.3')
    }
    if (store !== 'sqlite' && store !== 'postgres') fail('ping.store: must be sqlite or postgres')
    const dau = count(object.dau, 'ping.dau')
    const wau = count(object.wau, 'ping.wau')
    const mau = count(object.mau, 'ping.mau')
    if (dau > wau || wau > mau) fail('ping: dau ≤ wau ≤ mau must hold')
    const features = list(object.features, 'ping.features', (item, path) => {
      const entry = exactKeys(item, ['feature', 'action', 'day', 'month'], path)
      return {
        feature: name(entry.feature, `${path}.feature`),
        action: name(entry.action, `${path}.action`),
        day: pingCount(entry.day, `${path}.day`),
        month: pingCount(entry.month, `${path}.month`),
      }
    })
    const featureTotals = list(object.featureTotals, 'ping.featureTotals', (item, path) => {
      const entry = exactKeys(item, ['feature', 'day', 'month'], path)
      return {
        feature: name(entry.feature, `${path}.feature`),
        day: pingCount(entry.day, `${path}.day`),
        month: pingCount(entry.month, `${path}.month`),
      }
    })
    return {
      ok: true,
      ping: {
        id: object.id,
        instance,
        day,
        version,
        store,
        dau,
        wau,
        mau,
        stickiness: ratio(object.stickiness, 'ping.stickiness'),
        features,
        featureTotals,
      },
    }
  } catch (error) {
    if (error instanceof PingProblem) return { ok: false, reason: error.message }
    throw error
  }
}

function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day
}
