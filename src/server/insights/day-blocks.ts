import { blockDays } from '../stores/rows.js'
import type { InsightsSql } from '../stores/insights-store.js'

/*
 * `feature_blocks` keeps, per user and feature, a bitmask of the days in each 32-day block
 * (bit d of block b is day 32b + d). A window from @from to @to selects of block b the bits
 * max(@from − 32b, 0) … min(@to − 32b, 31), whatever the window's length.
 */

/** The blocks a window touches, as parameters. */
export const blockParameters = (from: number, to: number) => ({
  from,
  to,
  from_block: Math.floor(from / blockDays),
  to_block: Math.floor(to / blockDays),
})

/** `days` restricted to the window, for a row of `feature_blocks` (CAST: 1 << 32 overflows INTEGER in PostgreSQL). */
export const daysInWindow: InsightsSql = {
  sqlite: `(days & ((1 << (min(@to - ${blockDays} * block, ${blockDays - 1}) + 1))
    - (1 << max(@from - ${blockDays} * block, 0))))`,
  postgres: `(days & ((CAST(1 AS BIGINT) << (least(@to - ${blockDays} * block, ${blockDays - 1}) + 1))
    - (CAST(1 AS BIGINT) << greatest(@from - ${blockDays} * block, 0))))`,
}

/**
 * The bits set in a mask below 2^32: PostgreSQL's bit_count; SQLite has none, so the store
 * registers `tally_bit_count` on its connection (see sqlite-insights.ts).
 */
export const bitCount: Record<keyof InsightsSql, (mask: string) => string> = {
  sqlite: mask => `tally_bit_count(${mask})`,
  postgres: mask => `bit_count(CAST(${mask} AS bit(32)))`,
}
