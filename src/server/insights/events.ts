import { dayMs } from '../stores/rows.js'
import type { InsightsParameter, InsightsSql, InsightsStore } from '../stores/insights-store.js'
import { isFlagValue, metadataToken } from '../stores/metadata-pairs.js'
import type { EventsAnswer, EventsCoverage } from './answers.js'
import { blockParameters, daysInWindow } from './day-blocks.js'
import { formatDay } from './days.js'
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

/** A `where` answered from the flag rollups: every value 0 or 1, and no user asked about. */
const onFlags = ({ where, userId }: EventsParameters) =>
  userId === undefined && where.length > 0 && where.every(({ value }) => isFlagValue(value))

/** The tokens of `where` (see stores/metadata-pairs.ts), bound as @token_0 … */
function tokenParameters({ where }: EventsParameters) {
  const parameters: Record<string, InsightsParameter> = {}
  where.forEach(({ key, value }, index) => {
    parameters[`token_${index}`] = metadataToken(key, value)
  })
  return parameters
}

const holds: Record<Dialect, (column: string, token: string) => string> = {
  sqlite: (column, token) => `instr(${column}, @${token}) > 0`,
  postgres: (column, token) => `strpos(${column}, @${token}) > 0`,
}

const tokenConditions = (dialect: Dialect, column: string, { where }: EventsParameters) =>
  where.map((_, index) => holds[dialect](column, `token_${index}`))

/**
 * From the flag rollups, for `where` on flags alone: the events from the per-day totals by
 * flags, the users from the per-block day bitmasks by flags (by feature and action when one is
 * asked about). A row counts when its flags hold every pair asked for.
 */
function fromFlags(question: EventsParameters) {
  const { feature, action } = question
  const { conditions, parameters } = namedFilters(question)
  const statement = (dialect: Dialect) => {
    const flags = tokenConditions(dialect, 'flags', question)
    const events = `SELECT sum(events) FROM flag_daily
      WHERE ${['day >= @from', 'day <= @to', ...flags, ...conditions].join(' AND ')}`
    const table =
      feature !== undefined || action !== undefined ? 'flag_feature_blocks' : 'flag_blocks'
    const users = `SELECT count(DISTINCT user_id) FROM ${table}
      WHERE ${['block >= @from_block', 'block <= @to_block', ...flags, ...conditions].join(' AND ')}
        AND ${daysInWindow[dialect]} <> 0`
    return `SELECT (${events}) AS events, (${users}) AS users`
  }
  return {
    sql: { sqlite: statement('sqlite'), postgres: statement('postgres') },
    parameters: {
      ...parameters,
      ...tokenParameters(question),
      ...blockParameters(question.from, question.to),
    },
  }
}

const inWindow: Record<Dialect, string> = {
  sqlite: 'timestamp >= @start_ms AND timestamp < @end_ms',
  postgres: `timestamp >= to_timestamp(CAST(@start_ms AS double precision) / 1000)
    AND timestamp < to_timestamp(CAST(@end_ms AS double precision) / 1000)`,
}

/**
 * From the raw events, for `where` on other values or with a user: the events' pairs as text
 * (see stores/metadata-pairs.ts), which SQLite reads from the index on the time that covers
 * them, and PostgreSQL from the rows the index on the time finds.
 */
function fromEvents(question: EventsParameters) {
  const { conditions, parameters } = namedFilters(question)
  const statement = (dialect: Dialect) => {
    const metadata = tokenConditions(dialect, 'metadata', question)
    const where = [inWindow[dialect], ...conditions, ...metadata].join(' AND ')
    return `SELECT count(*) AS events, count(DISTINCT user_id) AS users FROM events WHERE ${where}`
  }
  return {
    sql: { sqlite: statement('sqlite'), postgres: statement('postgres') },
    parameters: {
      ...parameters,
      ...tokenParameters(question),
      start_ms: question.from * dayMs,
      end_ms: (question.to + 1) * dayMs,
    },
  }
}

/** The first day each source holds, as `since_day`, and the flag rollups' first day. */
const sinceSql: Record<EventsCoverage['source'] | 'flags', InsightsSql> = {
  rollups: {
    sqlite: '(SELECT min(day) FROM active_days) AS since_day',
    postgres: '(SELECT min(day) FROM active_days) AS since_day',
  },
  flags: {
    sqlite: `(SELECT min(day) FROM active_days) AS since_day,
      (SELECT day FROM rollup_starts WHERE rollup = 'flags') AS start_day`,
    postgres: `(SELECT min(day) FROM active_days) AS since_day,
      (SELECT day FROM rollup_starts WHERE rollup = 'flags') AS start_day`,
  },
  events: {
    sqlite: `(SELECT min(timestamp) FROM events) / ${dayMs} AS since_day`,
    postgres: '(SELECT floor(extract(epoch FROM min(timestamp)) / 86400) FROM events) AS since_day',
  },
}

/** The counting statement with the first day its source holds beside the counts. */
function withSince(
  { sql, parameters }: { sql: InsightsSql; parameters: Record<string, InsightsParameter> },
  since: InsightsSql,
) {
  const statement = (dialect: Dialect) =>
    `SELECT counted.events, counted.users, ${since[dialect]} FROM (${sql[dialect]}) counted`
  return { sql: { sqlite: statement('sqlite'), postgres: statement('postgres') }, parameters }
}

const dayOrNull = (value: number | string | null | undefined) =>
  value === null || value === undefined ? null : Number(value)

/**
 * **events**: stored events matching the filters (feature, action, user, from … to, and each
 * `where` KEY:VALUE on numeric metadata); **users**: distinct users among them. Read from the
 * daily rollups (400 days by default) without `where`, and for `where` on values 0 and 1 alone
 * without a user (the flag rollups, which hold the days since their upgrade); else from the
 * raw events, kept 90 days by default. The answer names its source and its first day.
 */
export async function events(
  store: InsightsStore,
  question: EventsParameters,
): Promise<EventsAnswer> {
  const source = question.where.length === 0 || onFlags(question) ? 'rollups' : 'events'
  const { sql, parameters } =
    question.where.length === 0
      ? withSince(fromRollups(question), sinceSql.rollups)
      : source === 'rollups'
        ? withSince(fromFlags(question), sinceSql.flags)
        : withSince(fromEvents(question), sinceSql.events)
  const [row] = await store.query(sql, parameters)
  const held = dayOrNull(row?.since_day)
  const start = dayOrNull(row?.start_day)
  const since = held === null ? null : Math.max(held, start ?? held)
  return {
    events: countOf(row, 'events'),
    users: countOf(row, 'users'),
    coverage: { source, since: since === null ? null : formatDay(since) },
  }
}
