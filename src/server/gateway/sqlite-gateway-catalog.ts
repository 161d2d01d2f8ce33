import type Database from 'better-sqlite3'
import type { Ping } from '../../protocol/ping.js'
import { tuneSqliteConnection } from '../stores/sqlite-connection.js'
import { loadDriver } from '../stores/load-driver.js'
import { preparedStatements } from '../stores/prepared-statements.js'
import { preparePrivateDatabaseFiles } from '../stores/private-database-files.js'
import { sqliteFailure } from '../stores/sqlite-failure.js'
import type { GatewayCatalog } from './gateway-catalog.js'
import {
  lastDay,
  toActiveUsers,
  toDayActiveUsers,
  toStoredPing,
  type ActiveUsersRow,
  type DayActiveUsersRow,
  type PingRow,
} from './ping-rows.js'

const pingColumns = 'ping, received_at AS receivedAt'

/** The gateway's own tables in `gateway.db` (better-sqlite3, WAL), created or migrated on open. */
export function openSqliteGatewayCatalog(path: string): GatewayCatalog {
  // Before anything is created: a missing driver leaves no folder behind.
  const Driver = loadDriver('better-sqlite3')
  let db: Database.Database | undefined
  try {
    preparePrivateDatabaseFiles(path)
    db = new Driver(path)
    tuneSqliteConnection(db)
    // One IMMEDIATE transaction: a second process opening the file at once waits (busy_timeout)
    // and then finds the tables as this one left them, never half migrated.
    db.transaction(createTables).immediate(db)
  } catch (error) {
    db?.close()
    throw sqliteFailure('open', path, error)
  }
  return sqliteCatalog(db, path)
}

const pingsTable = (name: string) => `
  CREATE TABLE IF NOT EXISTS ${name} (
    instance TEXT NOT NULL,
    day TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    ping TEXT NOT NULL,
    dau INTEGER NOT NULL,
    wau INTEGER NOT NULL,
    mau INTEGER NOT NULL,
    PRIMARY KEY (instance, day)
  );
`

/** Creates the tables, or brings those of an older gateway.db to this shape. */
function createTables(db: Database.Database) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS instances (
      instance TEXT PRIMARY KEY,
      first_seen INTEGER NOT NULL
    );
    ${pingsTable('pings')}
  `)
  const columns = db.prepare("SELECT name FROM pragma_table_info('pings')").pluck().all()
  if (!columns.includes('dau')) {
    // A gateway.db from before the pings kept their active users beside them. SQLite adds a
    // NOT NULL column only with a default, which would let an older gateway on this file store
    // zeros without a word: the table is copied instead, each row's counts read from its ping.
    db.exec(`
      ${pingsTable('pings_with_active_users')}
      INSERT INTO pings_with_active_users (instance, day, received_at, ping, dau, wau, mau)
        SELECT instance, day, received_at, ping,
          json_extract(ping, '$.dau'), json_extract(ping, '$.wau'), json_extract(ping, '$.mau')
        FROM pings;
      DROP TABLE pings;
      ALTER TABLE pings_with_active_users RENAME TO pings;
    `)
  }
  db.exec(`
    -- The fleet's chart sums every instance's active users of a window by day, from this
    -- index alone.
    DROP INDEX IF EXISTS pings_by_day;
    CREATE INDEX IF NOT EXISTS pings_by_day_active_users ON pings (day, instance, dau, wau, mau);
  `)
}

function sqliteCatalog(db: Database.Database, path: string): GatewayCatalog {
  const sql = preparedStatements(db)
  const pings = (source: string, ...params: unknown[]) =>
    (sql(source).all(...params) as PingRow[]).map(toStoredPing)
  const addInstance = (instance: string, at: number) =>
    sql('INSERT INTO instances (instance, first_seen) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
      instance,
      at,
    )
  const insertPing = db.transaction((ping: Ping, at: number) => {
    addInstance(ping.instance, at)
    return (
      sql(
        `INSERT INTO pings (instance, day, received_at, ping, dau, wau, mau)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(ping.instance, ping.day, at, JSON.stringify(ping), ping.dau, ping.wau, ping.mau)
        .changes > 0
    )
  })

  return {
    async addInstance(instance, at) {
      addInstance(instance, at.getTime())
    },
    async hasInstance(instance) {
      return sql('SELECT 1 FROM instances WHERE instance = ?').get(instance) !== undefined
    },
    async instances() {
      return sql('SELECT instance FROM instances ORDER BY instance').pluck().all() as string[]
    },
    async insertPing(ping, receivedAt) {
      try {
        return insertPing.immediate(ping, receivedAt.getTime())
      } catch (error) {
        throw sqliteFailure('insert', path, error)
      }
    },
    async pings(instance, range = {}) {
      return pings(
        `SELECT ${pingColumns} FROM pings WHERE instance = ? AND day >= ? AND day <= ? ORDER BY day`,
        instance,
        range.from ?? '',
        range.to ?? lastDay,
      )
    },
    async activeUsersByDay(from, to) {
      // Over the covering index alone; total() rather than sum(), which would throw past 2^63.
      const rows = sql(
        `SELECT day, total(dau) AS dau, total(wau) AS wau, total(mau) AS mau FROM pings
         WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day`,
      ).all(from, to) as DayActiveUsersRow[]
      return rows.map(toDayActiveUsers)
    },
    async pingActiveUsers(keys) {
      const get = sql(
        'SELECT instance, day, dau, wau, mau FROM pings WHERE instance = ? AND day = ?',
      )
      const found = []
      for (const { instance, day } of keys) {
        const row = get.get(instance, day) as ActiveUsersRow | undefined
        if (row !== undefined) found.push(toActiveUsers(row))
      }
      return found
    },
    async latestPings(at) {
      // One index seek per instance: max() over (instance, day) reads one entry.
      return pings(
        `SELECT ${pingColumns} FROM instances i JOIN pings p ON p.instance = i.instance
           AND p.day = (SELECT max(day) FROM pings WHERE instance = i.instance AND day <= ?)
         ORDER BY i.instance`,
        at,
      )
    },
    async prunePings(before) {
      return sql('DELETE FROM pings WHERE day < ?').run(before).changes
    },
    async close() {
      if (db.open) db.close()
    },
  }
}
