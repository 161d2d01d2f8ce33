import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { Ping } from '../../../src/protocol/ping.js'
import { openPostgresGatewayCatalog } from '../../../src/server/gateway/postgres-gateway-catalog.js'
import { expectAnswersOf, samplePing, variedPings } from '../../support/gateway-data.js'
import { postgresTestSchemas } from '../../support/postgres-schemas.js'

const schemas = postgresTestSchemas('tgwc_', 'gateway catalog')
const pool = new pg.Pool({ connectionString: schemas.connectionString, max: 4 })
afterEach(schemas.cleanup)
afterAll(() => pool.end())

const receivedAt = new Date('2026-11-12T08:00:00.000Z')
/** A schema as gateways wrote it before the pings kept their active users in columns. */
async function writeOldCatalog(schema: string, pings: readonly Ping[]) {
  await pool.query(`
    CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".instances (
      instance TEXT COLLATE "C" PRIMARY KEY,
      first_seen TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE "${schema}".pings (
      instance TEXT COLLATE "C" NOT NULL,
      day TEXT COLLATE "C" NOT NULL,
      received_at TIMESTAMPTZ NOT NULL,
      ping TEXT NOT NULL,
      PRIMARY KEY (instance, day)
    );
    CREATE INDEX pings_by_day ON "${schema}".pings (day, instance);
  `)
  for (const ping of pings) {
    await pool.query(`INSERT INTO "${schema}".instances VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      ping.instance,
      receivedAt,
    ])
    await pool.query(`INSERT INTO "${schema}".pings VALUES ($1, $2, $3, $4)`, [
      ping.instance,
      ping.day,
      receivedAt,
      JSON.stringify(ping),
    ])
  }
}

/** The pings table's columns and indexes, and how PostgreSQL can plan the fleet page's sums by day. */
async function inspect(schema: string) {
  const { rows: columns } = await pool.query<{ name: string; type: string; nullable: string }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable
     FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'pings'
     ORDER BY ordinal_position`,
    [schema],
  )
  const { rows: indexes } = await pool.query<{ name: string }>(
    'SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1',
    [schema, 'pings'],
  )
  const client = await pool.connect()
  try {
    // A table this small is read whole by default: asked for an index, the planner shows
    // whether one covers the read.
    await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off')
    const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT day, sum(dau), sum(wau), sum(mau) FROM "${schema}".pings
       WHERE day >= '2026-11-01' AND day <= '2026-11-10' GROUP BY day ORDER BY day`,
    )
    await client.query('RESET enable_seqscan; RESET enable_bitmapscan')
    return {
      columns,
      indexes: indexes.map(row => row.name),
      plan: plan.map(row => row['QUERY PLAN']).join('\n'),
    }
  } finally {
    client.release()
  }
}

/** The shape of the pings table, however old the schema it was opened on. */
const expectedShape: { columns: unknown[]; indexes: string[]; plan: unknown } = {
  columns: [
    { name: 'instance', type: 'text', nullable: 'NO' },
    { name: 'day', type: 'text', nullable: 'NO' },
    { name: 'received_at', type: 'timestamp with time zone', nullable: 'NO' },
    { name: 'ping', type: 'text', nullable: 'NO' },
    { name: 'dau', type: 'bigint', nullable: 'NO' },
    { name: 'wau', type: 'bigint', nullable: 'NO' },
    { name: 'mau', type: 'bigint', nullable: 'NO' },
  ],
  indexes: ['pings_by_day_active_users', 'pings_pkey'],
  plan: expect.stringContaining('Index Only Scan using pings_by_day_active_users'),
}

describe('the PostgreSQL gateway catalog', () => {
  it("sums a window's active users by day from its covering index alone", async () => {
    const schema = await schemas.schema()
    const catalog = await openPostgresGatewayCatalog(pool, schema)
    for (const ping of variedPings()) await catalog.insertPing(ping, receivedAt)
    expect(await inspect(schema)).toEqual(expectedShape)
  })

  it("migrates an older schema on open: each ping's active users filled from its JSON", async () => {
    const schema = await schemas.schema()
    const planted = variedPings()
    await writeOldCatalog(schema, planted)

    // Two replicas starting at once: the second waits for the first's migration.
    const [catalog] = await Promise.all([
      openPostgresGatewayCatalog(pool, schema),
      openPostgresGatewayCatalog(pool, schema),
    ])
    await expectAnswersOf(catalog, planted)
    expect(await inspect(schema)).toEqual(expectedShape)

    // A ping stored after the migration, and a third open that finds nothing left to do.
    const later = samplePing('acme', '2026-11-11', { dau: 40, wau: 41, mau: 42 })
    expect(await catalog.insertPing(later, receivedAt)).toBe(true)
    const reopened = await openPostgresGatewayCatalog(pool, schema)
    await expectAnswersOf(reopened, [...planted, later])
  })
})
