import type Database from 'better-sqlite3'
import { StoreError } from '../errors/store-error.js'
import { loadDriver } from './load-driver.js'
import { preparedStatements } from './prepared-statements.js'
import { preparePrivateDatabaseFiles } from './private-database-files.js'
import {
  checkCount,
  checkDate,
  checkPositive,
  checkRetention,
  EXPORT_ORDER,
  inExportOrder,
  inRequestedOrder,
  SETTLED,
  toStoredRow,
  UNSETTLED,
} from './rows.js'
import type { IngestedEvent, ServerEventStore, StoredRow } from './server-event-store.js'
import { openSqliteInsights } from './sqlite-insights.js'
import { insertEventRows } from './sqlite-event-rows.js'
import {
  checkRollupWrites,
  deferredRollups,
  type RollupWriteBounds,
} from './sqlite-deferred-rollups.js'
import { tuneSqliteConnection } from './sqlite-connection.js'
import { sqliteFailure } from './sqlite-failure.js'
import { sqlitePingLog } from './sqlite-ping-log.js'
import { migrateSqlite } from './sqlite-schema.js'

export interface SqliteStoreOptions {
  /** The database file; its directory is created if missing. `tally serve`: `./.tally/tally.db`. */
  path: string
  /**
   * When the rollups' counts held in memory are written (see sqlite-deferred-rollups.ts):
   * larger bounds write less per event and hold more memory.
   */
  rollupWrites?: RollupWriteBounds
  /** SQLite's page cache in MiB, held as it fills. @default 64 */
  cacheMiB?: number | undefined
}

interface SqliteRow {
  payload: string
  userId: number
  receivedAt: number
  correctedTimestamp: number
  exportedAt: number | null
  exportRejection: string | null
}

const COLUMNS = `payload, user_id AS userId, received_at AS receivedAt,
  timestamp AS correctedTimestamp, exported_at AS exportedAt, export_rejection AS exportRejection`

const CLAIMABLE = `${UNSETTLED} AND (export_claimed_until IS NULL OR export_claimed_until <= @now)`

type Rejection = Parameters<ServerEventStore['markRejected']>[0][number]

const toRow = (row: SqliteRow): StoredRow =>
  toStoredRow({
    payload: row.payload,
    userId: row.userId,
    receivedAt: new Date(row.receivedAt),
    correctedTimestamp: new Date(row.correctedTimestamp),
    exportedAt: row.exportedAt === null ? null : new Date(row.exportedAt),
    exportRejection: row.exportRejection,
  })

/**
 * The embedded store: one better-sqlite3 connection per store. The driver is synchronous, so
 * each method does its work at once and the interface's promise only carries the result.
 */
export function openSqliteStore({
  path,
  rollupWrites,
  cacheMiB,
}: SqliteStoreOptions): ServerEventStore {
  if (rollupWrites !== undefined) checkRollupWrites(rollupWrites)
  if (cacheMiB !== undefined) checkPositive('cacheMiB', cacheMiB)
  // Before anything is created: a missing driver leaves no folder behind.
  const Driver = loadDriver('better-sqlite3')
  let db: Database.Database | undefined
  try {
    preparePrivateDatabaseFiles(path)
    db = new Driver(path)
    tuneSqliteConnection(db, cacheMiB)
  } catch (error) {
    // A file that is no database fails at the first pragma, once the connection is open.
    db?.close()
    throw sqliteFailure('open', path, error)
  }
  return sqliteStore(db, path, rollupWrites)
}

function sqliteStore(
  db: Database.Database,
  path: string,
  rollupWrites: RollupWriteBounds | undefined,
): ServerEventStore {
  const sql = preparedStatements(db)
  const rows = (source: string, ...params: unknown[]) =>
    (sql(source).all(...params) as SqliteRow[]).map(toRow)
  const count = (source: string, ...params: unknown[]) => sql(source).run(...params).changes
  /** The first column of the first row; its statement is used for nothing else. */
  const value = (source: string, ...params: unknown[]) =>
    sql(source)
      .pluck()
      .get(...params)
  const rollups = deferredRollups(sql, rollupWrites)
  /**
   * Write transactions take the lock at BEGIN, so they wait on busy_timeout, never fail
   * midway. A failed one rolled back what the rollups' memory may hold.
   */
  const write = <A extends unknown[], R>(work: (...args: A) => R) => {
    const transaction = db.transaction(work)
    return (...args: A): R => {
      try {
        return transaction.immediate(...args)
      } catch (error) {
        rollups.forget()
        throw error
      }
    }
  }

  // Only a new row counts: a duplicate id must not count twice in the rollups.
  const insert = write((events: readonly IngestedEvent[]) =>
    rollups.counting(() => insertEventRows(sql, events)),
  )

  /** Brings the rollups up to every stored row, before they are read or cut. */
  const settleNow = write(() => rollups.settle())
  const settle = () => {
    if (rollups.behind()) settleNow()
  }

  const markExported = write((ids: readonly string[], now: number) => {
    for (const id of ids) {
      count(
        `UPDATE events SET exported_at = ?, export_claimed_until = NULL
         WHERE id = ? AND ${UNSETTLED}`,
        now,
        id,
      )
    }
  })

  const markRejected = write((rejections: readonly Rejection[], now: number) => {
    for (const { id, reason } of rejections) {
      count(
        `UPDATE events SET exported_at = ?, export_rejection = ?, export_claimed_until = NULL
         WHERE id = ? AND ${UNSETTLED}`,
        now,
        reason,
        id,
      )
    }
  })

  const release = write((ids: readonly string[]) => {
    for (const id of ids) {
      count(`UPDATE events SET export_claimed_until = NULL WHERE id = ? AND ${UNSETTLED}`, id)
    }
  })

  const prune = write((exportedBefore: number, unexportedBefore: number, maxUnexported: number) => {
    // Every row is counted before any goes (see sqlite-deferred-rollups.ts).
    rollups.settle()
    const exported = count(
      `DELETE FROM events WHERE ${SETTLED} AND received_at < ?`,
      exportedBefore,
    )
    let unexported = count(
      `DELETE FROM events WHERE ${UNSETTLED} AND received_at < ?`,
      unexportedBefore,
    )
    const backlog = value(`SELECT count(*) FROM events WHERE ${UNSETTLED}`) as number
    if (backlog > maxUnexported) {
      unexported += count(
        `DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE ${UNSETTLED} ORDER BY ${EXPORT_ORDER} LIMIT ?)`,
        backlog - maxUnexported,
      )
    }
    rollups.afterPrune()
    return { exported, unexported }
  })

  return {
    kind: 'sqlite',
    ...sqlitePingLog(sql),
    insights: openSqliteInsights(db, settle, async (after, limit) => {
      checkCount('limit', limit)
      // From events_timestamp, its ties on the timestamp sorted by id.
      const order = 'ORDER BY timestamp, id LIMIT @limit'
      return after === undefined
        ? rows(`SELECT ${COLUMNS} FROM events ${order}`, { limit })
        : rows(`SELECT ${COLUMNS} FROM events WHERE (timestamp, id) > (@at, @id) ${order}`, {
            limit,
            at: after.correctedTimestamp.getTime(),
            id: after.id,
          })
    }),

    async migrate() {
      try {
        migrateSqlite(db)
      } catch (error) {
        throw sqliteFailure('migrate', path, error)
      }
    },

    async userId(subject) {
      const find = () =>
        value('SELECT id FROM users WHERE subject = ?', subject) as number | undefined
      let id: number | undefined
      try {
        id = find()
        if (id !== undefined) return id
        count('INSERT INTO users (subject) VALUES (?) ON CONFLICT (subject) DO NOTHING', subject)
        id = find()
      } catch (error) {
        throw sqliteFailure('userId', path, error)
      }
      if (id === undefined) {
        throw new StoreError(`user ${subject} vanished as it was created`, {
          kind: 'sqlite',
          operation: 'userId',
        })
      }
      return id
    },

    async insert(events) {
      if (events.length === 0) return 0
      try {
        return insert(events)
      } catch (error) {
        throw sqliteFailure('insert', path, error)
      }
    },

    async get(ids) {
      if (ids.length === 0) return []
      const found = rows(
        `SELECT ${COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(ids),
      )
      return inRequestedOrder(found, ids)
    },

    async claimForExport(limit, leaseMs, now) {
      checkCount('limit', limit)
      checkCount('leaseMs', leaseMs)
      checkDate('now', now)
      if (limit === 0) return []
      // One statement, and SQLite has one writer at a time: no other claim can interleave.
      const claimed = rows(
        `UPDATE events SET export_claimed_until = @until
         WHERE id IN (SELECT id FROM events WHERE ${CLAIMABLE} ORDER BY ${EXPORT_ORDER} LIMIT @limit)
         RETURNING ${COLUMNS}`,
        { now: now.getTime(), until: now.getTime() + leaseMs, limit },
      )
      return inExportOrder(claimed)
    },

    async peekExport(limit, offset = 0) {
      checkCount('limit', limit)
      checkCount('offset', offset)
      // What a claim made now would take: leases are judged by the wall clock.
      return rows(
        `SELECT ${COLUMNS} FROM events WHERE ${CLAIMABLE} ORDER BY ${EXPORT_ORDER} LIMIT @limit OFFSET @offset`,
        { now: Date.now(), limit, offset },
      )
    },

    async markExported(ids, now) {
      checkDate('now', now)
      markExported(ids, now.getTime())
    },

    async markRejected(rejections, now) {
      checkDate('now', now)
      markRejected(rejections, now.getTime())
    },

    async release(ids) {
      release(ids)
    },

    async prune(policy) {
      checkRetention(policy)
      return prune(
        policy.exportedBefore.getTime(),
        policy.unexportedBefore.getTime(),
        policy.maxUnexported,
      )
    },

    async stats() {
      const total = value('SELECT count(*) FROM events') as number
      const backlog = sql(
        `SELECT count(*) AS count, min(received_at) AS oldest FROM events WHERE ${UNSETTLED}`,
      ).get() as { count: number; oldest: number | null }
      return {
        total,
        backlog: backlog.count,
        oldestUnexportedAt: backlog.oldest === null ? null : new Date(backlog.oldest),
      }
    },

    async close() {
      // Counts still in memory are not written: their rows are stored, and whoever uses the
      // rollups next counts them from the table.
      if (db.open) db.close()
    },
  }
}
