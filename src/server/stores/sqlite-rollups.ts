import type { Statement } from 'better-sqlite3'
import { blockDays, dayMs } from './rows.js'

/** A session's least and greatest feature on a day: it used two features there when they differ. */
interface SessionSpan {
  day: number
  sessionId: string
  min: string
  max: string
}

interface Counted {
  day: number
  userId: number
  feature: string
  action: string
  flags: string
  events: number
}

/** Sums `events` under `key`, creating the entry with `fields` first. */
function tally<T extends { events: number }>(map: Map<string, T>, key: string, fields: T): void {
  const counted = map.get(key)
  if (counted === undefined) map.set(key, fields)
  else counted.events += fields.events
}

/** Sets the day's bit in the block's mask under `key`, creating the entry with `fields` first. */
function mark<T extends { days: number }>(
  map: Map<string, T>,
  key: string,
  day: number,
  fields: T,
) {
  const bit = 2 ** (day % blockDays)
  const marked = map.get(key)
  if (marked === undefined) map.set(key, { ...fields, days: bit })
  // Below 2^32, so the division is exact: the bit is set when the quotient is odd.
  else if (Math.floor(marked.days / bit) % 2 === 0) marked.days += bit
}

/**
 * An upsert into `table (columns)`: a key already there is updated by `update`, in which
 * `excluded` is the row offered.
 */
function upsert(into: string, key: string, update: string): string {
  const width = into.slice(into.indexOf('(')).split(',').length
  const values = Array<string>(width).fill('?').join(', ')
  return `INSERT INTO ${into} VALUES (${values}) ON CONFLICT (${key}) DO UPDATE SET ${update}`
}

/** Events counted per key in memory, not yet written to the rollups. */
export interface RollupCounts {
  /**
   * Counts one newly stored event: its user, feature, action, session, flag signature (see
   * metadata-pairs.ts, `''` when it has none) and corrected timestamp in epoch milliseconds.
   * Positional, since it runs for every event stored.
   */
  add(
    userId: number,
    feature: string,
    action: string,
    sessionId: string,
    flags: string,
    timestamp: number,
  ): void
  /** The events counted since the last write or clear. */
  readonly events: number
  /** The keys they are counted under: what a write costs, and what memory holds. */
  readonly keys: number
  /** Writes the counts into the rollups (inside the caller's transaction) and clears them. */
  write(sql: (source: string) => Statement): void
  /** Forgets the counts unwritten. */
  clear(): void
}

/**
 * Counts newly stored events for the rollups. Events are counted per day, user, feature,
 * action and flags first, and per day and session; a write sums every rollup from those counts,
 * so each of its keys is written once however many events share it. Events of one user, day and
 * feature are many to a key, which is why the store writes behind the events, a write every
 * many batches rather than one each (see sqlite-deferred-rollups.ts).
 */
export function rollupCounts(): RollupCounts {
  // Feature and action names cannot hold NUL (see protocol/validate.ts), nor can flags, so NUL
  // keeps the parts of a key apart; the session id, which may hold anything, comes last.
  let counted = new Map<string, Counted>()
  let sessions = new Map<string, SessionSpan>()
  let events = 0
  // A batch is mostly one user's session on one day: the previous event's entries are kept
  // so that an event like it skips building and looking up its keys.
  let last: Counted | undefined
  let lastSession: SessionSpan | undefined
  return {
    add(userId, feature, action, sessionId, flags, timestamp) {
      events += 1
      const day = Math.floor(timestamp / dayMs)
      if (
        last?.day !== day ||
        last.userId !== userId ||
        last.feature !== feature ||
        last.action !== action ||
        last.flags !== flags
      ) {
        const key = `${day}\0${userId}\0${feature}\0${action}\0${flags}`
        last = counted.get(key)
        if (last === undefined) {
          last = { day, userId, feature, action, flags, events: 0 }
          counted.set(key, last)
        }
      }
      last.events += 1
      if (lastSession?.day !== day || lastSession.sessionId !== sessionId) {
        const key = `${day}\0${sessionId}`
        lastSession = sessions.get(key)
        if (lastSession === undefined) {
          lastSession = { day, sessionId, min: feature, max: feature }
          sessions.set(key, lastSession)
        }
      }
      if (feature < lastSession.min) lastSession.min = feature
      if (feature > lastSession.max) lastSession.max = feature
    },
    get events() {
      return events
    },
    get keys() {
      return counted.size + sessions.size
    },
    write(sql) {
      writeRollups(sql, counted.values(), sessions.values())
      this.clear()
    },
    clear() {
      counted = new Map()
      sessions = new Map()
      events = 0
      last = undefined
      lastSession = undefined
    },
  }
}

/** Sums every rollup from the counts and writes each of its keys once. */
function writeRollups(
  sql: (source: string) => Statement,
  counts: Iterable<Counted>,
  sessions: Iterable<SessionSpan>,
): void {
  const daily = new Map<string, Counted>()
  const totals = new Map<string, { day: number; feature: string; action: string; events: number }>()
  const activeDays = new Map<string, { day: number; userId: number }>()
  const used = new Map<string, { block: number; feature: string; userId: number; days: number }>()
  const firstDays = new Map<number, number>()
  const flagDaily = new Map<string, Counted>()
  const flagUsers = new Map<
    string,
    { block: number; flags: string; userId: number; days: number }
  >()
  const flagFeatureUsers = new Map<string, Counted & { block: number; days: number }>()
  for (const entry of counts) {
    const { day, userId, feature, action, flags, events } = entry
    tally(daily, `${day}\0${userId}\0${feature}\0${action}`, { ...entry })
    tally(totals, `${day}\0${feature}\0${action}`, { day, feature, action, events })
    activeDays.set(`${day}\0${userId}`, { day, userId })
    const block = Math.floor(day / blockDays)
    mark(used, `${block}\0${feature}\0${userId}`, day, { block, feature, userId, days: 0 })
    firstDays.set(userId, Math.min(firstDays.get(userId) ?? day, day))
    if (flags === '') continue
    tally(flagDaily, `${day}\0${flags}\0${feature}\0${action}`, { ...entry })
    mark(flagUsers, `${block}\0${flags}\0${userId}`, day, { block, flags, userId, days: 0 })
    mark(flagFeatureUsers, `${block}\0${feature}\0${action}\0${flags}\0${userId}`, day, {
      ...entry,
      block,
      days: 0,
    })
  }
  // A statement a row: one statement of many rows was measured no faster, the work being
  // SQLite's own rather than the calls into the driver.
  const bump = sql(
    upsert(
      'usage_daily (day, user_id, feature, action, events)',
      'day, user_id, feature, action',
      'events = events + excluded.events',
    ),
  )
  for (const r of daily.values()) bump.run(r.day, r.userId, r.feature, r.action, r.events)
  const activeDay = sql(
    'INSERT INTO active_days (day, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
  )
  for (const r of activeDays.values()) activeDay.run(r.day, r.userId)
  const use = sql(
    upsert(
      'feature_blocks (block, feature, user_id, days)',
      'block, feature, user_id',
      'days = days | excluded.days',
    ),
  )
  for (const r of used.values()) use.run(r.block, r.feature, r.userId, r.days)
  const total = sql(
    upsert(
      'events_daily (day, feature, action, events)',
      'day, feature, action',
      'events = events + excluded.events',
    ),
  )
  for (const r of totals.values()) total.run(r.day, r.feature, r.action, r.events)
  const session = sql(
    upsert(
      'session_days (day, session_id, min_feature, max_feature)',
      'day, session_id',
      'min_feature = min(min_feature, excluded.min_feature), max_feature = max(max_feature, excluded.max_feature)',
    ),
  )
  for (const r of sessions) session.run(r.day, r.sessionId, r.min, r.max)
  const first = sql(upsert('first_days (user_id, day)', 'user_id', 'day = min(day, excluded.day)'))
  for (const [userId, day] of firstDays) first.run(userId, day)
  const flagTotal = sql(
    upsert(
      'flag_daily (day, flags, feature, action, events)',
      'day, flags, feature, action',
      'events = events + excluded.events',
    ),
  )
  for (const r of flagDaily.values()) flagTotal.run(r.day, r.flags, r.feature, r.action, r.events)
  const flagUser = sql(
    upsert(
      'flag_blocks (block, flags, user_id, days)',
      'block, flags, user_id',
      'days = days | excluded.days',
    ),
  )
  for (const r of flagUsers.values()) flagUser.run(r.block, r.flags, r.userId, r.days)
  const flagFeatureUser = sql(
    upsert(
      'flag_feature_blocks (block, feature, action, flags, user_id, days)',
      'block, feature, action, flags, user_id',
      'days = days | excluded.days',
    ),
  )
  for (const r of flagFeatureUsers.values())
    flagFeatureUser.run(r.block, r.feature, r.action, r.flags, r.userId, r.days)
}
