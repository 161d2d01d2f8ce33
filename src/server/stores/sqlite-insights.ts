import type { Database, Statement } from 'better-sqlite3'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { checkDate, dayMs } from './rows.js'

/** A newly stored event, as the rollups count it. */
export interface RollupEntry {
  userId: number
  feature: string
  action: string
  correctedTimestamp: Date
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
  const daily = new Map<
    string,
    { day: number; userId: number; feature: string; action: string; events: number }
  >()
  const firstDays = new Map<number, number>()
  for (const { userId, feature, action, correctedTimestamp } of entries) {
    const day = Math.floor(correctedTimestamp.getTime() / dayMs)
    // JSON keeps the parts apart whatever characters the names hold.
    const key = JSON.stringify([day, userId, feature, action])
    const counted = daily.get(key)
    if (counted === undefined) daily.set(key, { day, userId, feature, action, events: 1 })
    else counted.events += 1
    firstDays.set(userId, Math.min(firstDays.get(userId) ?? day, day))
  }
  const bump = sql(
    `INSERT INTO usage_daily (day, user_id, feature, action, events) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (day, user_id, feature, action) DO UPDATE SET events = events + excluded.events`,
  )
  const activeDay = sql(
    'INSERT INTO active_days (day, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
  )
  const activeDays = new Set<string>()
  for (const { day, userId, feature, action, events } of daily.values()) {
    bump.run(day, userId, feature, action, events)
    const key = `${day}:${userId}`
    if (!activeDays.has(key)) {
      activeDays.add(key)
      activeDay.run(day, userId)
    }
  }
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
  const statements = new Map<string, Statement>()
  const sql = (source: string): Statement => {
    let statement = statements.get(source)
    if (statement === undefined) {
      statement = db.prepare(source)
      statements.set(source, statement)
    }
    return statement
  }
  const prune = db.transaction((day: number) => {
    let deleted = sql('DELETE FROM usage_daily WHERE day < ?').run(day).changes
    deleted += sql('DELETE FROM active_days WHERE day < ?').run(day).changes
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
