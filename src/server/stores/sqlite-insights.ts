import type { Database, Statement } from 'better-sqlite3'
import type { TelemetryEvent } from '../../protocol/event.js'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { checkDate, dayMs } from './rows.js'

/**
 * Counts one newly stored event in the rollups; the store calls it inside its insert
 * transaction, only for rows the insert added.
 */
export function countInRollups(
  sql: (source: string) => Statement,
  userId: number,
  event: Pick<TelemetryEvent, 'feature' | 'action'>,
  correctedTimestamp: Date,
): void {
  const day = Math.floor(correctedTimestamp.getTime() / dayMs)
  sql(
    `INSERT INTO usage_daily (day, user_id, feature, action, events) VALUES (?, ?, ?, ?, 1)
     ON CONFLICT (day, user_id, feature, action) DO UPDATE SET events = events + 1`,
  ).run(day, userId, event.feature, event.action)
  sql('INSERT INTO active_days (day, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
    day,
    userId,
  )
  sql(
    `INSERT INTO first_days (user_id, day) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET day = min(day, excluded.day)`,
  ).run(userId, day)
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
