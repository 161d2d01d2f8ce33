import { dayMs } from '../stores/rows.js'
import type { InsightsParameter, InsightsSql, InsightsStore } from '../stores/insights-store.js'
import type { EventsAnswer } from './answers.js'
import { blockParameters, daysInWindow } from './day-blocks.js'
import type { EventsParameters } from './parameters.js'
import { countOf } from './read.js'

type Dialect = keyof InsightsSql

/** The conditions both sources share: the filters other than `where`. */
function namedFilters({ feature, action, userId }: EventsParameters) {
  const conditions: string[] = []
  const parameters: Record<string, InsightsParameter> = {}
  if (feature !== undefined) {
    conditions.push('feature = @feature')
    parameters.feature = feature
  }
  if (action !== undefined) {
    conditions.push('action = @action')
    parameters.action = action
  }
  if (userId !== undefined) {
    conditions.push('user_id = @user_id')
    parameters.user_id = userId
  }
  return { conditions, parameters }
}

/**
 * Each active user-day probes the user-days' rows by their key, rather than every row of the
 * window being read: SQLite takes CROSS JOIN as the order to join in.
 */
const userDaysJoin: Record<Dialect, string> = { sqlite: 'CROSS JOIN', postgres: 'JOIN' }

/**
 * From the rollups: whole days, so the same answer as the raw events, and fast. The events
 * come from the per-day totals unless one user is asked about; the users from the active days
 * (no filter), the feature's day bitmasks (a feature), or the user-days' rows (an action or a
 * user, reached through the user's active days).
 */
function fromRollups(question: EventsParameters) {
  const { feature, action, userId } = question
  const { conditions, parameters } = namedFilters(question)
  const dayRange = ['day >= @from', 'day <= @to']
  const where = (extra: string[]) => [...extra, ...conditions].join(' AND ')
  const statement = (dialect: Dialect) => {
    if (userId !== undefined) {
      const joined = conditions.map(condition => `u.${condition}`)
      return `SELECT sum(u.events) AS events, count(DISTINCT u.user_id) AS users
        FROM active_days a JOIN usage_daily u ON u.day = a.day AND u.user_id = a.user_id
        WHERE a.user_id = @user_id AND a.day >= @from AND a.day <= @to
          AND ${['u.day >= @from', ...joined].join(' AND ')}`
    }
    const events = `SELECT sum(events) FROM events_daily WHERE ${where(dayRange)}`
    const users =
      action !== undefined
        ? `SELECT count(DISTINCT a.user_id) FROM active_days a ${userDaysJoin[dialect]} usage_daily u
             ON u.day = a.day AND u.user_id = a.user_id
           WHERE a.day >= @from AND a.day <= @to
             AND ${conditions.map(condition => `u.${condition}`).join(' AND ')}`
        : feature !== undefined
          ? `SELECT count(DISTINCT user_id) FROM feature_blocks
             WHERE ${where(['block >= @from_block', 'block <= @to_block'])}
               AND ${daysInWindow[dialect]} <> 0`
          : `SELECT count(DISTINCT user_id) FROM active_days WHERE ${dayRange.join(' AND ')}`
    return `SELECT (${events}) AS events, (${users}) AS users`
  }
  return {
    sql: { sqlite: statement('sqlite'), postgres: statement('postgres') },
    parameters: { ...parameters, ...blockParameters(question.from, question.to) },
  }
}

// The key is bound, and checked against the metadata key pattern (letters, digits, . _ -),
// so quoted it is one member of the JSON path even when it holds a dot.
const metadataValue: Record<Dialect, (key: string) => string> = {
  sqlite: key => `json_extract(payload, '$.parameters.metadata."' || @${key} || '"')`,
  postgres: key => `CAST(payload -> 'parameters' -> 'metadata' ->> @${key} AS double precision)`,
}

const inWindow: Record<Dialect, string> = {
  sqlite: 'timestamp >= @start_ms AND timestamp < @end_ms',
  postgres: `timestamp >= to_timestamp(CAST(@start_ms AS double precision) / 1000)
    AND timestamp < to_timestamp(CAST(@end_ms AS double precision) / 1000)`,
}

/** From the raw events, for numeric metadata filters, which no rollup keeps. */
function fromEvents(question: EventsParameters) {
  const { conditions, parameters } = namedFilters(question)
  const statement = (dialect: Dialect) => {
    const metadata = question.where.map(
      (_, index) => `${metadataValue[dialect](`key_${index}`)} = @value_${index}`,
    )
    const where = [inWindow[dialect], ...conditions, ...metadata].join(' AND ')
    return `SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM events WHERE ${where}`
  }
  const all: Record<string, InsightsParameter> = {
    ...parameters,
    start_ms: question.from * dayMs,
    end_ms: (question.to + 1) * dayMs,
  }
  question.where.forEach(({ key, value }, index) => {
    all[`key_${index}`] = key
    all[`value_${index}`] = value
  })
  return { sql: { sqlite: statement('sqlite'), postgres: statement('postgres') }, parameters: all }
}

/**
 * **events**: stored events matching the filters (feature, action, user, from … to, and each
 * `where` KEY:VALUE on numeric metadata); **users**: distinct users among them. Without
 * `where` it is read from the daily rollups (400 days); with it, from the raw events, which
 * are kept 90 days by default.
 */
export async function events(
  store: InsightsStore,
  question: EventsParameters,
): Promise<EventsAnswer> {
  const { sql, parameters } =
    question.where.length === 0 ? fromRollups(question) : fromEvents(question)
  const [row] = await store.query(sql, parameters)
  return { events: countOf(row, 'events'), users: countOf(row, 'users') }
}
