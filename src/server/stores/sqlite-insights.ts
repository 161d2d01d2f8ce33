import type { Database } from 'better-sqlite3'
import type { InsightsParameter, InsightsRow, InsightsStore } from './insights-store.js'
import { blockDays, blockRollups, checkDate, dailyRollups, dayMs } from './rows.js'
import { preparedStatements } from './prepared-statements.js'

// better-sqlite3 binds every number as REAL, which would turn day arithmetic into fractions;
// a BigInt binds as INTEGER.
const bind = (parameters: Readonly<Record<string, InsightsParameter>>) =>
  Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => [
      name,
      typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value,
    ]),
  )

/**
 * The insights over an open SQLite database (the store's own connection). `settle` brings the
 * rollups up to every stored row (the store writes them behind the events), before each read
 * and before a prune of the rollups, so that answers count every event stored.
 */
export function openSqliteInsights(
  db: Database,
  settle: () => void,
  page: InsightsStore['page'],
): InsightsStore {
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
    settle()
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
      settle()
      return sql(statement.sqlite).all(bind(parameters)) as InsightsRow[]
    },
    page,
    async pruneRollups(before) {
      checkDate('before', before)
      return prune.immediate(Math.floor(before.getTime() / dayMs))
    },
    async settle() {
      settle()
    },
  }
}
