import type { Database, Statement } from 'better-sqlite3'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { blockDays, blockRollups, checkDate, dailyRollups, dayMs } from './rows.js'
import { preparedStatements } from './prepared-statements.js'

/** A newly stored event, as the rollups count it. */
export interface RollupEntry {
  userId: number
  feature: string
  action: string
  sessionId: string
  /** The event's flag signature (see metadata-pairs.ts), `''` when it has no flags. */
  flags: string
  correctedTimestamp: Date
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
 * Counts newly stored events in the rollups; the store calls it inside its insert
 * transaction, with only the rows the insert added. A batch is mostly one user's events of one
 * day, so the events are counted per day, user, feature, action and flags first, every rollup
 * is summed from those counts, and each of its keys is written once.
 */
export function countInRollups(
  sql: (source: string) => Statement,
  entries: readonly RollupEntry[],
): void {
  // Feature and action names cannot hold NUL (see protocol/validate.ts), nor can flags, so NUL
  // keeps the parts of a key apart; the session id, which may hold anything, comes last.
  const counted = new Map<string, Counted>()
  const sessions = new Map<string, { day: number; sessionId: string; min: string; max: string }>()
  for (const { userId, feature, action, sessionId, flags, correctedTimestamp } of entries) {
    const day = Math.floor(correctedTimestamp.getTime() / dayMs)
    tally(counted, `${day}\0${userId}\0${feature}\0${action}\0${flags}`, {
      day,
      userId,
      feature,
      action,
      flags,
      events: 1,
    })
    const sessionKey = `${day}\0${sessionId}`
    const session = sessions.get(sessionKey)
    if (session === undefined)
      sessions.set(sessionKey, { day, sessionId, min: feature, max: feature })
    else {
      if (feature < session.min) session.min = feature
      if (feature > session.max) session.max = feature
    }
  }
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
  for (const entry of counted.values()) {
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
  const bump = sql(
    `INSERT INTO usage_daily (day, user_id, feature, action, events) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, user_id, feature, action) DO UPDATE SET events = events + excluded.events`,
  )
  for (const { day, userId, feature, action, events } of daily.values())
    bump.run(day, userId, feature, action, events)
  const activeDay = sql(
    'INSERT INTO active_days (day, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
  )
  for (const { day, userId } of activeDays.values()) activeDay.run(day, userId)
  const use = sql(
    `INSERT INTO feature_blocks (block, feature, user_id, days) VALUES (?, ?, ?, ?)
     ON CONFLICT (block, feature, user_id) DO UPDATE SET days = days | excluded.days`,
  )
  for (const { block, feature, userId, days } of used.values())
    use.run(block, feature, userId, days)
  const total = sql(
    `INSERT INTO events_daily (day, feature, action, events) VALUES (?, ?, ?, ?)
     ON CONFLICT (day, feature, action) DO UPDATE SET events = events + excluded.events`,
  )
  for (const { day, feature, action, events } of totals.values())
    total.run(day, feature, action, events)
  const session = sql(
    `INSERT INTO session_days (day, session_id, min_feature, max_feature) VALUES (?, ?, ?, ?)
     ON CONFLICT (day, session_id) DO UPDATE SET
       min_feature = min(min_feature, excluded.min_feature),
       max_feature = max(max_feature, excluded.max_feature)`,
  )
  for (const { day, sessionId, min, max } of sessions.values())
    session.run(day, sessionId, min, max)
  const first = sql(
    `INSERT INTO first_days (user_id, day) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET day = min(day, excluded.day)`,
  )
  for (const [userId, day] of firstDays) first.run(userId, day)
  const flagTotal = sql(
    `INSERT INTO flag_daily (day, flags, feature, action, events) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, flags, feature, action) DO UPDATE SET events = events + excluded.events`,
  )
  for (const { day, flags, feature, action, events } of flagDaily.values())
    flagTotal.run(day, flags, feature, action, events)
  const flagUser = sql(
    `INSERT INTO flag_blocks (block, flags, user_id, days) VALUES (?, ?, ?, ?)
     ON CONFLICT (block, flags, user_id) DO UPDATE SET days = days | excluded.days`,
  )
  for (const { block, flags, userId, days } of flagUsers.values())
    flagUser.run(block, flags, userId, days)
  const flagFeatureUser = sql(
    `INSERT INTO flag_feature_blocks (block, feature, action, flags, user_id, days)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (block, feature, action, flags, user_id) DO UPDATE SET days = days | excluded.days`,
  )
  for (const { block, feature, action, flags, userId, days } of flagFeatureUsers.values())
    flagFeatureUser.run(block, feature, action, flags, userId, days)
}

// better-sqlite3 binds every number as REAL, which would turn day arithmetic into fractions;
// a BigInt binds as INTEGER.
const bind = (parameters: Readonly<Record<string, InsightsParameter>>) =>
  Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [
      name,
      typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value,
    ]),
  )

/** The insights over an open SQLite database (the store's own connection). */
export function openSqliteInsights(db: Database, page: InsightsStore['page']): InsightsStore {
  const sql = preparedStatements(db)
  // The features question counts the days in a day bitmask (see insights/day-blocks.ts).
  db.function('tally_bit_count', { deterministic: true, safeIntegers: false }, (mask: unknown) => {
    // The classic shift-and-add over 32 bits.
    let bits = Number(mask) >>> 0
    bits -= (bits >>> 1) & 0x55555555
    bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333)
    return (Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
  })
  const prune = db.transaction((day: number) => {
    let deleted = 0
    for (const table of dailyRollups) {
      deleted += sql(`DELETE FROM ${table} WHERE day < ?`).run(day).changes
    }
    // Whole blocks before the day go; the block holding it forgets the days before it.
    const block = Math.floor(day / blockDays)
    const earlier = 2 ** (day - block * blockDays) - 1
    for (const table of blockRollups) {
      deleted += sql(`DELETE FROM ${table} WHERE block < ?`).run(block).changes
      sql(`UPDATE ${table} SET days = days & ~? WHERE block = ? AND days & ? <> 0`).run(
        earlier,
        block,
        earlier,
      )
      sql(`DELETE FROM ${table} WHERE block = ? AND days = 0`).run(block)
    }
    return deleted
  })
  return {
    dialect: 'sqlite',
    async query(statement, parameters) {
      return sql(statement.sqlite).all(bind(parameters)) as InsightsRow[]
    },
    page,
    async pruneRollups(before) {
      checkDate('before', before)
      return prune.immediate(Math.floor(before.getTime() / dayMs))
    },
  }
}
