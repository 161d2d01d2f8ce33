import type { Statement } from 'better-sqlite3'
import { flagSignature, pairsFlagSignature } from './metadata-pairs.js'
import type { IngestedEvent } from './server-event-store.js'
import { checkPositive } from './rows.js'
import { rollupCounts } from './sqlite-rollups.js'

/**
 * When the counts held in memory are written: either bound reached. A write costs about a
 * statement a key; memory holds a few hundred bytes a key.
 */
export interface RollupWriteBounds {
  /** Events counted and not yet written. @default 20000 */
  maxEvents: number
  /** Keys they are counted under. @default 10000 */
  maxKeys: number
}

export const defaultRollupWrites: RollupWriteBounds = { maxEvents: 20_000, maxKeys: 10_000 }

/** Refuses bounds that are not positive whole numbers (RangeError naming the bound). */
export function checkRollupWrites(bounds: RollupWriteBounds): void {
  for (const [name, bound] of Object.entries(bounds)) checkPositive(`rollupWrites.${name}`, bound)
}

/** Rows read back at a time when the memory does not hold the events after `through`. */
const readBackRows = 5_000

interface Progress {
  /** Every row up to this rowid is counted in the rollups, and none after it. */
  through: number
  /** The last rowid: memory holds the counts of the rows after `through` up to it. */
  last: number
}

interface PendingRow {
  rowid: number
  userId: number
  feature: string
  action: string
  sessionId: string
  timestamp: number
  metadata: string
}

/**
 * The SQLite store's rollups, written behind its events. The events of a batch are counted
 * in memory as they are inserted, and the counts are written every many batches rather than
 * once a batch: a client's batch is mostly one user's events of one day, so the same keys come
 * back batch after batch, and each write of a key was an upsert of its own. Ingest over HTTP
 * measured 84 % of its rate without rollups with a write a batch (see docs/architecture.md).
 *
 * The table is the truth, memory only a cache of it: `rollup_progress.through` is the last
 * rowid the rollups count, written in the same transaction as the rollups it covers, and rows
 * after it are counted by whoever writes next. Memory holds exactly the rows after `through`
 * as long as this connection was the only one to write since it looked; before each use the
 * table is asked (`through` and the last rowid, two index lookups), and when another
 * connection wrote or a transaction failed, memory is dropped and the rows are read back.
 * So a crash loses no count (the rows are there, counted by the next writer or reader), and
 * two processes on one file (`tally serve` and a `tally import`) never count a row twice.
 *
 * Rowids grow by one an insert while the table is not emptied at its top; a prune deletes the
 * oldest rows, but could empty the table, after which rowids start again at 1. So a prune
 * writes the counts first and then sets `through` to the last rowid left (`afterPrune`).
 *
 * Every function but `behind` runs inside the caller's write transaction.
 */
export function deferredRollups(
  sql: (source: string) => Statement,
  bounds: RollupWriteBounds = defaultRollupWrites,
) {
  const counts = rollupCounts()
  /** What memory holds: the rows after `through` up to `last`; undefined when unknown. */
  let held: Progress | undefined

  const stored = (): Progress => ({
    through: sql('SELECT through FROM rollup_progress').pluck().get() as number,
    // max() alone, which SQLite answers from the last row of the table; wrapped in coalesce()
    // it would scan.
    last: (sql('SELECT max(rowid) FROM events').pluck().get() as number | null) ?? 0,
  })

  /** Writes the counts held and moves `through` to the last row they hold. */
  const write = (progress: Progress) => {
    if (counts.events > 0) counts.write(sql)
    sql('UPDATE rollup_progress SET through = ?').run(progress.last)
    progress.through = progress.last
  }

  const writeIfFull = (progress: Progress) => {
    if (counts.events >= bounds.maxEvents || counts.keys >= bounds.maxKeys) write(progress)
  }

  /** Makes memory hold the rows after `through`, reading back what it does not hold. */
  const sync = (): Progress => {
    const table = stored()
    if (held?.through === table.through && held.last === table.last) return held
    counts.clear()
    const progress: Progress = { through: table.through, last: table.through }
    const read = sql(
      `SELECT rowid, user_id AS userId, feature, action, session_id AS sessionId, timestamp,
         metadata FROM events WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?`,
    )
    for (;;) {
      const rows = read.all(progress.last, table.last, readBackRows) as PendingRow[]
      const lastRow = rows.at(-1)
      if (lastRow === undefined) break
      for (const row of rows) {
        const flags = pairsFlagSignature(row.metadata)
        counts.add(row.userId, row.feature, row.action, row.sessionId, flags, row.timestamp)
      }
      progress.last = lastRow.rowid
      writeIfFull(progress)
    }
    progress.last = table.last
    held = progress
    return progress
  }

  return {
    /**
     * Runs `insert` in the caller's transaction and counts the events it added (and nothing
     * else), whose rows took the rowids after the last one; writes when a bound is reached.
     * Were the rowids elsewhere, the next use would find the last rowid unlike memory's and
     * read the rows back.
     */
    counting(insert: () => readonly IngestedEvent[]): number {
      // Memory holds the rows before the insert's, not yet the insert's own.
      const progress = sync()
      const added = insert()
      for (const { event, userId, correctedTimestamp } of added) {
        const flags = flagSignature(event.parameters.metadata)
        counts.add(
          userId,
          event.feature,
          event.action,
          event.sessionId,
          flags,
          correctedTimestamp.getTime(),
        )
      }
      progress.last += added.length
      writeIfFull(progress)
      return added.length
    },

    /**
     * Whether rows are stored that the rollups do not count yet. Asked outside a transaction,
     * so that a reader takes the write lock (waiting on another process's import) only when
     * there is something to write.
     */
    behind(): boolean {
      const { through, last } = stored()
      return through !== last
    },

    /** Writes every count, held or read back: the rollups then count every row. */
    settle(): void {
      const progress = sync()
      if (progress.through !== progress.last) write(progress)
    },

    /**
     * After rows were deleted (settled first, so nothing is held): `through` becomes the last
     * rowid left, so that the rowids a table emptied at its top hands out again get counted.
     */
    afterPrune(): void {
      const { last } = stored()
      sql('UPDATE rollup_progress SET through = ?').run(last)
      held = { through: last, last }
    },

    /** After a failed transaction: memory may hold what the table does not. */
    forget(): void {
      held = undefined
      counts.clear()
    },
  }
}
