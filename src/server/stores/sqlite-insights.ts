import type { Database, Statement } from 'better-sqlite3'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { blockDays, checkDate, dayMs } from './rows.js'
import { preparedStatements } from './prepared-statements.js'

/** A newly stored event, as the rollups count it. */
export interface RollupEntry {
  userId: number
  feature: string
  action: string
  sessionId: string
  correctedTimestamp: Date
}

/** Sums `events` under `key`, creating the entry with `fields` first. */
function tally<T extends { events: number }>(map: Map<string, T>, key: string, fields: T): void {
  const counted = map.get(key)
  if (counted === undefined) map.set(key, fields)
  else counted.events += fields.events
}

/**
 * Counts newly stored events in the rollups; the store calls it inside its insert
 * transaction, with only the rows the insert added. A batch is mostly one user's events of one
 * day, so the counts are summed per key first and each key is written once.
 */
export function countInRollups(
  sql: (source: string) => Statement,
  entries: readonly RollupEntry[],
): void {
  // Feature and action names cannot hold NUL (see protocol/validate.ts), so NUL keeps the parts
  // of a key apart; the session id, which may hold anything, comes last.
  const daily = new Map<
    string,
    { day: number; userId: number; feature: string; action: string; events: number }
  >()
  const totals = new Map<string, { day: number; feature: string; action: string; events: number }>()
  const sessions = new Map<string, { day: number; sessionId: string; min: string; max: string }>()
  const firstDays = new Map<number, number>()
  for (const { userId, feature, action, sessionId, correctedTimestamp } of entries) {
    const day = Math.floor(correctedTimestamp.getTime() / dayMs)
    tally(daily, `${day}\0${userId}\0${feature}\0${action}`, {
      day,
      userId,
      feature,
      action,
      events: 1,
    })
    tally(totals, `${day}\0${feature}\0${action}`, { day, feature, action, events: 1 })
    const sessionKey = `${day}\0${sessionId}`
    const session = sessions.get(sessionKey)
    if (session === undefined)
      sessions.set(sessionKey, { day, sessionId, min: feature, max: feature })
    else {
      if (feature < session.min) session.min = feature
      if (feature > session.max) session.max = feature
    }
    firstDays.set(userId, Math.min(firstDays.get(userId) ?? day, day))
  }
  const bump = sql(
    `INSERT INTO usage_daily (day, user_id, feature, action, events) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, user_id, feature, action) DO UPDATE SET events = events + excluded.events`,
  )
  const activeDay = sql(
    'INSERT INTO active_days (day, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
  )
  const used = sql(
    `INSERT INTO feature_blocks (block, feature, user_id, days) VALUES (?, ?, ?, ?)
     ON CONFLICT (block, feature, user_id) DO UPDATE SET days = days | excluded.days`,
  )
  const activeDays = new Set<string>()
  const featureDays = new Set<string>()
  for (const { day, userId, feature, action, events } of daily.values()) {
    bump.run(day, userId, feature, action, events)
    const key = `${day}:${userId}`
    if (!activeDays.has(key)) {
      activeDays.add(key)
      activeDay.run(day, userId)
    }
    const featureKey = `${day}\0${userId}\0${feature}`
    if (!featureDays.has(featureKey)) {
      featureDays.add(featureKey)
      const block = Math.floor(day / blockDays)
      used.run(block, feature, userId, 2 ** (day - block * blockDays))
    }
  }
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
    for (const table of ['usage_daily', 'active_days', 'events_daily', 'session_days']) {
      deleted += sql(`DELETE FROM ${table} WHERE day < ?`).run(day).changes
    }
    // Whole blocks before the day go; the block holding it forgets the days before it.
    const block = Math.floor(day / blockDays)
    deleted += sql('DELETE FROM feature_blocks WHERE block < ?').run(block).changes
    const earlier = 2 ** (day - block * blockDays) - 1
    sql('UPDATE feature_blocks SET days = days & ~? WHERE block = ? AND days & ? <> 0').run(
      earlier,
      block,
      earlier,
    )
    sql('DELETE FROM feature_blocks WHERE days = 0').run()
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
