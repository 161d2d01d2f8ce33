import type { InsightsRow } from '../stores/insights-store.js'

/** A count or sum as a number: PostgreSQL sends BIGINT and NUMERIC as strings, and NULL for an empty sum. */
export const countOf = (row: InsightsRow | undefined, column: string): number =>
  Number(row?.[column] ?? 0)
