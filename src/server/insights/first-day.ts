import type { InsightsSql, InsightsStore } from '../stores/insights-store.js'

// first_days is never pruned (one row a user), so this holds after the rollups age out.
const sql = 'SELECT min(day) AS day FROM first_days'

export const firstDaySql: InsightsSql = { sqlite: sql, postgres: sql }

/**
 * **first day**: the first UTC day (days since the epoch) on which any stored event happened,
 * by its corrected timestamp; undefined for a store that never held an event.
 */
export async function firstDay(store: InsightsStore): Promise<number | undefined> {
  const [row] = await store.query(firstDaySql, {})
  const day = row?.day
  return day === null || day === undefined ? undefined : Number(day)
}
