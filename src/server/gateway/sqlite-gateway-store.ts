import type Database from 'better-sqlite3'
import { loadDriver } from '../stores/load-driver.js'
import { preparePrivateDatabaseFiles } from '../stores/private-database-files.js'
import { sqliteFailure } from '../stores/sqlite-failure.js'
import type { GatewayRecord, GatewayStore } from './gateway-store.js'

export interface SqliteGatewayStoreOptions {
  /** The database file; its directory is created if missing. `:memory:` for a throwaway one. */
  path: string
}

interface Row {
  instance: string
  id: string
  payload: string
  receivedAt: number
}

/** The gateway's embedded store (better-sqlite3, WAL). Creates its table on open. */
export function openSqliteGatewayStore({ path }: SqliteGatewayStoreOptions): GatewayStore {
  // Before anything is created: a missing driver leaves no folder behind.
  const Driver = loadDriver('better-sqlite3')
  let db: Database.Database | undefined
  try {
    if (path !== ':memory:') preparePrivateDatabaseFiles(path)
    db = new Driver(path)
    db.pragma('journal_mode = WAL')
    // WAL with NORMAL: a commit is in the WAL file when insert resolves, so an acknowledgement
    // survives kill -9 of the gateway (not a power loss, which a reference gateway can afford).
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.exec(`
      CREATE TABLE IF NOT EXISTS gateway_events (
        instance TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (instance, id)
      );
      -- The rowid rides along in every index: listing an instance's newest rows walks this one.
      CREATE INDEX IF NOT EXISTS gateway_events_by_instance ON gateway_events (instance);
    `)
  } catch (error) {
    db?.close()
    throw sqliteFailure('open', path, error)
  }
  return sqliteGatewayStore(db, path)
}

function sqliteGatewayStore(db: Database.Database, path: string): GatewayStore {
  const insertRow = db.prepare<[string, string, string, number]>(
    'INSERT INTO gateway_events (instance, id, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  )
  // The rowid grows with each insert and rows are never deleted, so it is the order received.
  const listRows = db.prepare<[string, number], Row>(
    `SELECT instance, id, payload, received_at AS receivedAt FROM gateway_events
     WHERE instance = ? ORDER BY rowid DESC LIMIT ?`,
  )
  const countRows = db.prepare<[string], { n: number }>(
    'SELECT count(*) AS n FROM gateway_events WHERE instance = ?',
  )
  const insertAll = db.transaction(
    (instance: string, events: readonly { id: string; payload: string }[], at: number) => {
      let added = 0
      for (const { id, payload } of events)
        added += insertRow.run(instance, id, payload, at).changes
      return added
    },
  )
  return {
    async insert(instance, events, receivedAt) {
      try {
        return insertAll.immediate(instance, events, receivedAt.getTime())
      } catch (error) {
        throw sqliteFailure('insert', path, error)
      }
    },
    async list(instance, limit) {
      return listRows
        .all(instance, limit)
        .reverse()
        .map((row): GatewayRecord => ({
          instance: row.instance,
          id: row.id,
          payload: row.payload,
          receivedAt: new Date(row.receivedAt),
        }))
    },
    async count(instance) {
      return countRows.get(instance)?.n ?? 0
    },
    async close() {
      if (db.open) db.close()
    },
  }
}
