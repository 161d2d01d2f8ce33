import type { Pool, PoolClient } from 'pg'
import { postgresFailure } from '../stores/postgres-failure.js'
import { inTransaction } from '../stores/postgres-transaction.js'
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

const pingColumns = 'p.ping, p.received_at AS "receivedAt"'

/** Creates the tables in `schema`, or brings those of an older gateway to this shape. */
async function createTables(client: PoolClient, schema: string) {
  const pings = `"${schema}".pings`
  // A ping's counts are any safe integer, past INTEGER's 2^31.
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS "${schema}";
    CREATE TABLE IF NOT EXISTS "${schema}".instances (
      instance TEXT COLLATE "C" PRIMARY KEY,
      first_seen TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${pings} (
      instance TEXT COLLATE "C" NOT NULL,
      day TEXT COLLATE "C" NOT NULL,
      received_at TIMESTAMPTZ NOT NULL,
      ping TEXT NOT NULL,
      dau BIGINT NOT NULL,
      wau BIGINT NOT NULL,
      mau BIGINT NOT NULL,
      PRIMARY KEY (instance, day)
    );
  `)
  const { rows } = await client.query(
    `SELECT 1 FROM information_schema.columns
     WHERE table_schema = $1 AND table_name = 'pings' AND column_name = 'dau'`,
    [schema],
  )
  if (rows.length === 0) {
    // A schema from before the pings kept their active users beside them: every row is filled
    // from its ping before the columns refuse a null.
    await client.query(`
      ALTER TABLE ${pings} ADD COLUMN dau BIGINT, ADD COLUMN wau BIGINT, ADD COLUMN mau BIGINT;
      UPDATE ${pings} SET
        dau = (ping::json ->> 'dau')::bigint,
        wau = (ping::json ->> 'wau')::bigint,
        mau = (ping::json ->> 'mau')::bigint;
      ALTER TABLE ${pings}
        ALTER COLUMN dau SET NOT NULL, ALTER COLUMN wau SET NOT NULL, ALTER COLUMN mau SET NOT NULL;
    `)
  }
  await client.query(`
    DROP INDEX IF EXISTS "${schema}".pings_by_day;
    -- The fleet's chart sums every instance's active users of a window by day, from this
    -- index alone (an index-only scan).
    CREATE INDEX IF NOT EXISTS pings_by_day_active_users ON ${pings} (day, instance)
      INCLUDE (dau, wau, mau);
  `)
}

/**
 * The gateway's own tables in its PostgreSQL schema (`schema`, a checked identifier), created
 * if missing and migrated if older. An advisory lock keyed by the schema makes replicas
 * starting at once wait for the first, as the instance store's migration does.
 */
export async function openPostgresGatewayCatalog(
  pool: Pool,
  schema: string,
): Promise<GatewayCatalog> {
  try {
    await inTransaction(pool, async client => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tally-gateway:${schema}`])
      await createTables(client, schema)
    })
  } catch (error) {
    throw postgresFailure('migrate', error)
  }
  const instances = `"${schema}".instances`
  const pingsTable = `"${schema}".pings`
  const pings = async (text: string, values: unknown[]) =>
    (await pool.query<PingRow>(text, values)).rows.map(toStoredPing)

  return {
    async addInstance(instance, at) {
      await pool.query(
        `INSERT INTO ${instances} (instance, first_seen) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [instance, at],
      )
    },
    async hasInstance(instance) {
      const { rows } = await pool.query(`SELECT 1 FROM ${instances} WHERE instance = $1`, [
        instance,
      ])
      return rows.length > 0
    },
    async instances() {
      const { rows } = await pool.query<{ instance: string }>(
        `SELECT instance FROM ${instances} ORDER BY instance`,
      )
      return rows.map(row => row.instance)
    },
    async insertPing(ping, receivedAt) {
      try {
        // One statement, so one transaction: the instance is known whenever its ping is.
        const { rows } = await pool.query<{ added: boolean }>(
          `WITH known AS (
             INSERT INTO ${instances} (instance, first_seen) VALUES ($1, $3) ON CONFLICT DO NOTHING
           ), added AS (
             INSERT INTO ${pingsTable} (instance, day, received_at, ping, dau, wau, mau)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1
           )
           SELECT count(*) > 0 AS added FROM added`,
          [ping.instance, ping.day, receivedAt, JSON.stringify(ping), ping.dau, ping.wau, ping.mau],
        )
        return rows[0]?.added === true
      } catch (error) {
        throw postgresFailure('insert', error)
      }
    },
    async pings(instance, range = {}) {
      return pings(
        `SELECT ${pingColumns} FROM ${pingsTable} p
         WHERE instance = $1 AND day >= $2 AND day <= $3 ORDER BY day`,
        [instance, range.from ?? '', range.to ?? lastDay],
      )
    },
    async activeUsersByDay(from, to) {
      // Over the covering index alone; sum() of BIGINT is a NUMERIC, which never overflows.
      const { rows } = await pool.query<DayActiveUsersRow>(
        `SELECT day, sum(dau) AS dau, sum(wau) AS wau, sum(mau) AS mau FROM ${pingsTable}
         WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day`,
        [from, to],
      )
      return rows.map(toDayActiveUsers)
    },
    async pingActiveUsers(keys) {
      if (keys.length === 0) return []
      const { rows } = await pool.query<ActiveUsersRow>(
        `SELECT p.instance, p.day, p.dau, p.wau, p.mau
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (instance, day, position)
         JOIN ${pingsTable} p ON p.instance = k.instance AND p.day = k.day
         ORDER BY k.position`,
        [keys.map(key => key.instance), keys.map(key => key.day)],
      )
      return rows.map(toActiveUsers)
    },
    async latestPings(at) {
      // One index seek per instance on (instance, day), newest first.
      return pings(
        `SELECT ${pingColumns} FROM ${instances} i CROSS JOIN LATERAL (
           SELECT ping, received_at FROM ${pingsTable}
           WHERE instance = i.instance AND day <= $1 ORDER BY day DESC LIMIT 1
         ) p ORDER BY i.instance`,
        [at],
      )
    },
    async prunePings(before) {
      return (await pool.query(`DELETE FROM ${pingsTable} WHERE day < $1`, [before])).rowCount ?? 0
    },
    async close() {
      // The pool is the gateway store's, which ends it.
    },
  }
}
