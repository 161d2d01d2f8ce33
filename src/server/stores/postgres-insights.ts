import type { Pool } from 'pg'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { inTransaction } from './postgres-transaction.js'
import { blockDays, blockRollups, checkDate, dailyRollups, dayMs } from './rows.js'

/**
 * `@name` placeholders to `$n`, each name one number however often it appears. The questions'
 * statements hold no string literals with `@`, and PostgreSQL's `@` operators are not used.
 */
export function toPositional(
  text: string,
  parameters: Readonly<Record<string, InsightsParameter>>,
): { text: string; values: InsightsParameter[] } {
  const values: InsightsParameter[] = []
  const numbers = new Map<string, number>()
  const positional = text.replace(/@([a-zA-Z_][a-zA-Z0-9_]*)/g, (_, name: string) => {
    let number = numbers.get(name)
    if (number === undefined) {
      const value = parameters[name]
      if (value === undefined) throw new RangeError(`no value for the parameter @${name}`)
      values.push(value)
      number = values.length
      numbers.set(name, number)
    }
    return `$${number}`
  })
  return { text: positional, values }
}

/** The insights over the store's pool; the rollups are kept by the store's insert statement. */
export function openPostgresInsights(pool: Pool, page: InsightsStore['page']): InsightsStore {
  return {
    dialect: 'postgres',
    async query(statement, parameters) {
      const { text, values } = toPositional(statement.postgres, parameters)
      return (await pool.query<InsightsRow>(text, values)).rows
    },
    page,
    // The insert's own transaction keeps the rollups.
    async settle() {},
    async pruneRollups(before) {
      checkDate('before', before)
      const day = Math.floor(before.getTime() / dayMs)
      return inTransaction(pool, async client => {
        let deleted = 0
        for (const table of dailyRollups) {
          deleted +=
            (await client.query(`DELETE FROM ${table} WHERE day < $1`, [day])).rowCount ?? 0
        }
        // Whole blocks before the day go; the block holding it forgets the days before it.
        const block = Math.floor(day / blockDays)
        const earlier = 2 ** (day - block * blockDays) - 1
        for (const table of blockRollups) {
          const blocks = await client.query(`DELETE FROM ${table} WHERE block < $1`, [block])
          deleted += blocks.rowCount ?? 0
          await client.query(
            `UPDATE ${table} SET days = days & ~$1::bigint WHERE block = $2 AND (days & $1::bigint) <> 0`,
            [earlier, block],
          )
          await client.query(`DELETE FROM ${table} WHERE block = $1 AND days = 0`, [block])
        }
        return deleted
      })
    },
  }
}
