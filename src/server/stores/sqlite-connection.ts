import type { Database } from 'better-sqlite3'

/** The page cache of a connection unless its opener asks for another, in MiB. */
export const defaultCacheMiB = 64

/**
 * The settings of every connection Tally opens to its SQLite files (the instance store, the
 * gateway's catalog): WAL, durable against a killed process, patient with other writers.
 */
export function tuneSqliteConnection(db: Database, cacheMiB = defaultCacheMiB): void {
  db.pragma('journal_mode = WAL')
  // In WAL mode, NORMAL syncs only at checkpoints: a committed transaction is in the WAL
  // file (the OS page cache) when `insert` resolves, so it survives kill -9 of the server,
  // which is the promise we make. Only a power loss or OS crash may lose the last commits;
  // FULL would cover that at the price of an fsync per batch.
  db.pragma('synchronous = NORMAL')
  // Other connections (a second store, `tally export --preview`) wait for the write lock
  // instead of failing at once with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000')
  // 64 MiB of page cache rather than the default 2 MiB: a batch of events touches a leaf of
  // the user index per user in it, scattered over the file, and those pages must stay in
  // memory until the commit instead of spilling to the WAL mid-transaction. `tally import`
  // asks for more (see importCacheMiB).
  db.pragma(`cache_size = ${-Math.round(cacheMiB * 1024)}`)
  // A checkpoint every 64 MiB of WAL rather than every 4 MiB: each checkpoint syncs the
  // database file, and pages rewritten by many commits (the rollups', an index's last leaves)
  // are copied back once; storing an event measured 10-20 % faster. A reader looks a page up
  // in one more hash table of the WAL's index per 4 MiB, and the insights' timings measured
  // the same with the WAL full or checkpointed. The file is cut back to 64 MiB after a larger
  // transaction.
  db.pragma('wal_autocheckpoint = 16384')
  db.pragma('journal_size_limit = 67108864')
}
