import { StoreError } from '../errors/store-error.js'
import { loadDriver } from './load-driver.js'
import { postgresFailure } from './postgres-failure.js'
import { metadataPairs } from './metadata-pairs.js'
import { migratePostgres } from './postgres-schema.js'
import { POSTGRES_PAIRS_FLAGS, postgresFlagRollups } from './postgres-flag-rollups.js'
import { openPostgresInsights } from './postgres-insights.js'
import { postgresPingLog } from './postgres-ping-log.js'
import { inTransaction } from './postgres-transaction.js'
import {
  blockDays,
  checkCount,
  checkDate,
  checkRetention,
  compareIds,
  encodePayload,
  EXPORT_ORDER,
  inExportOrder,
  inRequestedOrder,
  POSTGRES_DAY,
  SETTLED,
  toStoredRow,
  UNSETTLED,
} from './rows.js'
import type { ServerEventStore, StoredRow } from './server-event-store.js'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` */
  connectionString: string
  /**
   * The schema holding Tally's tables, created if missing: lowercase letters, digits and `_`.
   * @default 'public'
   */
  schema?: string
  /**
   * The most connections the store's pool opens. A gateway keeps one store per instance, many
   * at once, so it asks for few each to stay under the server's `max_connections`.
   * @default 10
   */
  maxConnections?: number
}

interface PostgresRow {
  payload: string
  userId: string
  receivedAt: Date
  correctedTimestamp: Date
  exportedAt: Date | null
  exportRejection: string | null
}

// The payload is read as text so both stores decode it alike (pg would parse JSON itself).
const COLUMNS = `payload::text AS payload, user_id AS "userId", received_at AS "receivedAt",
  timestamp AS "correctedTimestamp", exported_at AS "exportedAt",
  export_rejection AS "exportRejection"`

const CLAIMABLE = `${UNSETTLED} AND (export_claimed_until IS NULL OR export_claimed_until <= $1)`

// BIGINT arrives as a string; user ids and counts stay far below 2^53.
const toRow = (row: PostgresRow): StoredRow => toStoredRow({ ...row, userId: Number(row.userId) })

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * The store for instances with several replicas on one PostgreSQL database. Every method is
 * one statement (its own transaction) except `migrate` and `prune`.
 */
export function openPostgresStore({
  connectionString,
  schema = 'public',
  maxConnections = 10,
}: PostgresStoreOptions): ServerEventStore {
  if (!schemaPattern.test(schema)) {
    throw new RangeError(
      `schema must be lowercase letters, digits and _ (at most 63), got ${JSON.stringify(schema)}`,
    )
  }
  const { Pool } = loadDriver('pg')
  const pool = new Pool({
    connectionString,
    // Set at connection start, so every statement, migrations included, resolves Tally's
    // unqualified table names in `schema`.
    options: `-c search_path=${schema}`,
    // A database that does not answer fails the request instead of hanging it.
    connectionTimeoutMillis: 10_000,
    max: maxConnections,
  })
  // An idle connection that dies (a database restart) is dropped by the pool, which emits
  // the error here; without a listener it would crash the process. The next query opens a
  // new connection, and if that fails too, its caller gets the error.
  pool.on('error', () => undefined)
  let closed = false

  const rows = async (text: string, values: unknown[]) =>
    (await pool.query<PostgresRow>(text, values)).rows.map(toRow)
  const changed = async (text: string, values: unknown[]) =>
    (await pool.query(text, values)).rowCount ?? 0

  const find = async (subject: string) => {
    const { rows: found } = await pool.query<{ id: string }>(
      'SELECT id FROM users WHERE subject = $1',
      [subject],
    )
    return found[0] === undefined ? undefined : Number(found[0].id)
  }

  return {
    kind: 'postgres',
    ...postgresPingLog(pool),
    insights: openPostgresInsights(pool, async (after, limit) => {
      checkCount('limit', limit)
      // From events_timestamp, its ties on the timestamp sorted by id.
      const order = 'ORDER BY timestamp, id LIMIT $1'
      return after === undefined
        ? rows(`SELECT ${COLUMNS} FROM events ${order}`, [limit])
        : rows(`SELECT ${COLUMNS} FROM events WHERE (timestamp, id) > ($2, $3) ${order}`, [
            limit,
            after.correctedTimestamp,
            after.id,
          ])
    }),

    async migrate() {
      try {
        await inTransaction(pool, client => migratePostgres(client, schema))
      } catch (error) {
        throw postgresFailure('migrate', error)
      }
    },

    async userId(subject) {
      let id: number | undefined
      try {
        id = await find(subject)
        if (id !== undefined) return id
        const { rows: inserted } = await pool.query<{ id: string }>(
          'INSERT INTO users (subject) VALUES ($1) ON CONFLICT (subject) DO NOTHING RETURNING id',
          [subject],
        )
        // Nothing returned: another replica created the user meanwhile. Its row is committed
        // (ON CONFLICT waited for it), and this new statement's snapshot sees it.
        id = inserted[0] === undefined ? await find(subject) : Number(inserted[0].id)
      } catch (error) {
        throw postgresFailure('userId', error)
      }
      if (id === undefined) {
        throw new StoreError(`user ${subject} vanished as it was created`, {
          kind: 'postgres',
          operation: 'userId',
        })
      }
      return id
    },

    async insert(events) {
      if (events.length === 0) return 0
      // In id order, so that two replicas inserting overlapping batches lock the ids in the
      // same order and cannot deadlock. unnest takes the batch as twelve array parameters,
      // whatever its size, far from the 65,535 parameter limit of one statement.
      const sorted = [...events].sort((a, b) => compareIds(a.event.id, b.event.id))
      try {
        // One statement, so one transaction: the rollups count exactly the rows the insert
        // added (RETURNING leaves out the ids already stored), in key order like the events.
        const { rows: counted } = await pool.query<{ inserted: string }>(
          `WITH inserted AS (
             INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
               received_at, payload, session_id, exported_at, export_rejection, metadata)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[],
               $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::json[], $9::text[],
               $10::timestamptz[], $11::text[], $12::text[])
             ON CONFLICT (id) DO NOTHING
             RETURNING user_id, feature, action, session_id, ${POSTGRES_DAY} AS day,
               ${POSTGRES_PAIRS_FLAGS} AS flags
           ), ${postgresFlagRollups}, daily AS (
             INSERT INTO usage_daily (day, user_id, feature, action, events)
             SELECT day, user_id, feature, action, count(*) FROM inserted
             GROUP BY day, user_id, feature, action ORDER BY day, user_id, feature, action
             ON CONFLICT (day, user_id, feature, action)
             DO UPDATE SET events = usage_daily.events + excluded.events
           ), days AS (
             INSERT INTO active_days (day, user_id)
             SELECT DISTINCT day, user_id FROM inserted ORDER BY day, user_id
             ON CONFLICT DO NOTHING
           ), totals AS (
             INSERT INTO events_daily (day, feature, action, events)
             SELECT day, feature, action, count(*) FROM inserted
             GROUP BY day, feature, action ORDER BY day, feature, action
             ON CONFLICT (day, feature, action)
             DO UPDATE SET events = events_daily.events + excluded.events
           ), used AS (
             INSERT INTO feature_blocks (block, feature, user_id, days)
             SELECT day / ${blockDays}, feature, user_id,
               bit_or(CAST(1 AS BIGINT) << (day % ${blockDays}))
             FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
             ON CONFLICT (block, feature, user_id)
             DO UPDATE SET days = feature_blocks.days | excluded.days
           ), sessions AS (
             INSERT INTO session_days (day, session_id, min_feature, max_feature)
             SELECT day, session_id, min(feature COLLATE "C"), max(feature COLLATE "C")
             FROM inserted GROUP BY day, session_id ORDER BY day, session_id
             ON CONFLICT (day, session_id) DO UPDATE SET
               min_feature = least(session_days.min_feature, excluded.min_feature),
               max_feature = greatest(session_days.max_feature, excluded.max_feature)
           ), firsts AS (
             INSERT INTO first_days (user_id, day)
             SELECT user_id, min(day) FROM inserted GROUP BY user_id ORDER BY user_id
             ON CONFLICT (user_id) DO UPDATE SET day = least(first_days.day, excluded.day)
           )
           SELECT count(*) AS inserted FROM inserted`,
          [
            sorted.map(row => row.event.id),
            sorted.map(row => row.userId),
            sorted.map(row => row.event.feature),
            sorted.map(row => row.event.action),
            sorted.map(row => row.event.timestamp.toISOString()),
            sorted.map(row => row.correctedTimestamp.toISOString()),
            sorted.map(row => row.receivedAt.toISOString()),
            sorted.map(row => encodePayload(row.event)),
            sorted.map(row => row.event.sessionId),
            sorted.map(row => row.exportedAt?.toISOString() ?? null),
            sorted.map(row => row.exportRejection ?? null),
            sorted.map(row => metadataPairs(row.event.parameters.metadata)),
          ],
        )
        return Number(counted[0]?.inserted ?? 0)
      } catch (error) {
        throw postgresFailure('insert', error)
      }
    },

    async get(ids) {
      if (ids.length === 0) return []
      const found = await rows(`SELECT ${COLUMNS} FROM events WHERE id = ANY($1::text[])`, [ids])
      return inRequestedOrder(found, ids)
    },

    async claimForExport(limit, leaseMs, now) {
      checkCount('limit', limit)
      checkCount('leaseMs', leaseMs)
      checkDate('now', now)
      if (limit === 0) return []
      // One statement, so one transaction: the rows are locked as they are picked, rows
      // another exporter holds locked are skipped, and the lease is set before the locks go.
      // A row whose lease another exporter set meanwhile is re-checked once locked and left
      // out, since its lease no longer matches CLAIMABLE.
      const claimed = await rows(
        `WITH claimable AS (
           SELECT id FROM events WHERE ${CLAIMABLE}
           ORDER BY ${EXPORT_ORDER} LIMIT $2
           FOR UPDATE SKIP LOCKED
         )
         UPDATE events SET export_claimed_until = $3
         FROM claimable WHERE events.id = claimable.id
         RETURNING ${COLUMNS}`,
        [now, limit, new Date(now.getTime() + leaseMs)],
      )
      return inExportOrder(claimed)
    },

    async peekExport(limit, offset = 0) {
      checkCount('limit', limit)
      checkCount('offset', offset)
      // What a claim made now would take: leases are judged by the wall clock.
      return rows(
        `SELECT ${COLUMNS} FROM events WHERE ${CLAIMABLE} ORDER BY ${EXPORT_ORDER} LIMIT $2 OFFSET $3`,
        [new Date(), limit, offset],
      )
    },

    async markExported(ids, now) {
      checkDate('now', now)
      if (ids.length === 0) return
      await changed(
        `UPDATE events SET exported_at = $2, export_claimed_until = NULL
         WHERE id = ANY($1::text[]) AND ${UNSETTLED}`,
        [ids, now],
      )
    },

    async markRejected(rejections, now) {
      checkDate('now', now)
      if (rejections.length === 0) return
      await changed(
        `UPDATE events SET exported_at = $3, export_rejection = r.reason,
           export_claimed_until = NULL
         FROM unnest($1::text[], $2::text[]) AS r (id, reason)
         WHERE events.id = r.id AND ${UNSETTLED}`,
        [rejections.map(r => r.id), rejections.map(r => r.reason), now],
      )
    },

    async release(ids) {
      if (ids.length === 0) return
      await changed(
        `UPDATE events SET export_claimed_until = NULL WHERE id = ANY($1::text[]) AND ${UNSETTLED}`,
        [ids],
      )
    },

    async prune(policy) {
      checkRetention(policy)
      return inTransaction(pool, async client => {
        const deleted = async (text: string, values: unknown[]) =>
          (await client.query(text, values)).rowCount ?? 0
        const exported = await deleted(`DELETE FROM events WHERE ${SETTLED} AND received_at < $1`, [
          policy.exportedBefore,
        ])
        let unexported = await deleted(
          `DELETE FROM events WHERE ${UNSETTLED} AND received_at < $1`,
          [policy.unexportedBefore],
        )
        const { rows: counted } = await client.query<{ backlog: string }>(
          `SELECT count(*) AS backlog FROM events WHERE ${UNSETTLED}`,
        )
        const excess = Number(counted[0]?.backlog ?? 0) - policy.maxUnexported
        if (excess > 0) {
          unexported += await deleted(
            `DELETE FROM events WHERE id IN (
               SELECT id FROM events WHERE ${UNSETTLED} ORDER BY ${EXPORT_ORDER} LIMIT $1)`,
            [excess],
          )
        }
        return { exported, unexported }
      })
    },

    async stats() {
      const { rows: found } = await pool.query<{
        total: string
        backlog: string
        oldest: Date | null
      }>(
        `SELECT (SELECT count(*) FROM events) AS total, count(*) AS backlog,
           min(received_at) AS oldest
         FROM events WHERE ${UNSETTLED}`,
      )
      const row = found[0]
      return {
        total: Number(row?.total ?? 0),
        backlog: Number(row?.backlog ?? 0),
        oldestUnexportedAt: row?.oldest ?? null,
      }
    },

    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}
