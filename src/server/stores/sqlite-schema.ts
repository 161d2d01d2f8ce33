import type { Database } from 'better-sqlite3'
import { pendingMigrations, type Migration } from './migrations.js'
import { SETTLED, UNSETTLED } from './rows.js'

/*
 * Dates are INTEGER milliseconds since the epoch: compact, ordered, and what `Date` holds.
 * The applied version lives in `PRAGMA user_version`, written in the same transaction as
 * the steps.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        subject TEXT UNIQUE NOT NULL
      );
      -- No foreign key to users: ingest would pay a lookup per row for nothing, since
      -- user_id always comes from userId().
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        feature TEXT NOT NULL,
        action TEXT NOT NULL,
        client_timestamp INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        exported_at INTEGER,
        export_rejection TEXT,
        export_claimed_until INTEGER
      );
      CREATE INDEX events_export_queue ON events (received_at, id) WHERE ${UNSETTLED};
      CREATE INDEX events_settled_retention ON events (received_at) WHERE ${SETTLED};
    `,
  },
]

/** Applies the pending steps in one IMMEDIATE transaction, so concurrent openers take turns. */
export function migrateSqlite(db: Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    const steps = pendingMigrations('sqlite', sqliteMigrations, current)
    for (const step of steps) db.exec(step.sql)
    const last = steps.at(-1)
    if (last !== undefined) db.pragma(`user_version = ${last.version}`)
  }).immediate()
}
