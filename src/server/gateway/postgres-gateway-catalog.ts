import type { Pool } from 'pg'
import { postgresFailure } from '../stores/postgres-failure.js'
import { inTransaction } from '../stores/postgres-transaction.js'
import type { GatewayCatalog } from './gateway-catalog.js'
import { lastDay, toStoredPing, type PingRow } from './ping-rows.js'

const pingColumns = 'p.ping, p.received_at AS "receivedAt"'

/**
 * The gateway's own tables in its PostgreSQL schema (`schema`, a checked identifier), created
 * if missing. An advisory lock keyed by the schema makes replicas starting at once wait for the
 * first, as the instance store's migration does.
 */
export async function openPostgresGatewayCatalog(
  pool: Pool,
  schema: string,
): Promise<GatewayCatalog> {
  try {
    await inTransaction(pool, async client => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tally-gateway:${schema}`])
      await client.query(`
        CREATE SCHEMA IF NOT EXISTS "${schema}";
        CREATE TABLE IF NOT EXISTS "${schema}".instances (
          instance TEXT COLLATE "C" PRIMARY KEY,
          first_seen TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS "${schema}".pings (
          instance TEXT COLLATE "C" NOT NULL,
          day TEXT COLLATE "C" NOT NULL,
          received_at TIMESTAMPTZ NOT NULL,
          ping TEXT NOT NULL,
          PRIMARY KEY (instance, day)
        );
        CREATE INDEX IF NOT EXISTS pings_by_day ON "${schema}".pings (day, instance);
      `)
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
             INSERT INTO ${pingsTable} (instance, day, received_at, ping) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING 1
           )
           SELECT count(*) > 0 AS added FROM added`,
          [ping.instance, ping.day, receivedAt, JSON.stringify(ping)],
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
    async pingsBetween(from, to) {
      return pings(
        `SELECT ${pingColumns} FROM ${pingsTable} p
         WHERE day >= $1 AND day <= $2 ORDER BY day, instance`,
        [from, to],
      )
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
