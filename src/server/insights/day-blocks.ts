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
 * The bits set in `mask` (below 2^32): the classic shift-and-add, in integer arithmetic both
 * dialects share, so no extension or version is needed. `mask` must be a plain column name.
 */
export function bitCount(mask: string): string {
  const pairs = `(${mask} - ((${mask} >> 1) & 1431655765))`
  const nibbles = `((${pairs} & 858993459) + ((${pairs} >> 2) & 858993459))`
  const bytes = `((${nibbles} + (${nibbles} >> 4)) & 252645135)`
  return `(((${bytes} * 16843009) >> 24) & 255)`
}
