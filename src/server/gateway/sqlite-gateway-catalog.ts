import type Database from 'better-sqlite3'
import { tuneSqliteConnection } from '../stores/sqlite-connection.js'
import { loadDriver } from '../stores/load-driver.js'
import { preparedStatements } from '../stores/prepared-statements.js'
import { preparePrivateDatabaseFiles } from '../stores/private-database-files.js'
import { sqliteFailure } from '../stores/sqlite-failure.js'
import type { GatewayCatalog } from './gateway-catalog.js'
import { lastDay, toStoredPing, type PingRow } from './ping-rows.js'

const pingColumns = 'ping, received_at AS receivedAt'

/** The gateway's own tables in `gateway.db` (better-sqlite3, WAL), created on open. */
export function openSqliteGatewayCatalog(path: string): GatewayCatalog {
  // Before anything is created: a missing driver leaves no folder behind.
  const Driver = loadDriver('better-sqlite3')
  let db: Database.Database | undefined
  try {
    preparePrivateDatabaseFiles(path)
    db = new Driver(path)
    tuneSqliteConnection(db)
    db.exec(`
      CREATE TABLE IF NOT EXISTS instances (
        instance TEXT PRIMARY KEY,
        first_seen INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS pings (
        instance TEXT NOT NULL,
        day TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        ping TEXT NOT NULL,
        PRIMARY KEY (instance, day)
      );
      -- The fleet's charts read every instance's pings of a window, by day.
      CREATE INDEX IF NOT EXISTS pings_by_day ON pings (day, instance);
    `)
  } catch (error) {
    db?.close()
    throw sqliteFailure('open', path, error)
  }
  return sqliteCatalog(db, path)
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
  const insertPing = db.transaction((instance: string, day: string, at: number, ping: string) => {
    addInstance(instance, at)
    return (
      sql(
        'INSERT INTO pings (instance, day, received_at, ping) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(instance, day, at, ping).changes > 0
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
        return insertPing.immediate(
          ping.instance,
          ping.day,
          receivedAt.getTime(),
          JSON.stringify(ping),
        )
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
    async pingsBetween(from, to) {
      return pings(
        `SELECT ${pingColumns} FROM pings WHERE day >= ? AND day <= ? ORDER BY day, instance`,
        from,
        to,
      )
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
