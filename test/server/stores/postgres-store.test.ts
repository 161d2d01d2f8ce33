import type { PoolClient } from 'pg'
import { describe, expect, it } from 'vitest'
import { metadataPairs } from '../../../src/server/stores/metadata-pairs.js'
import { postgresMigrations } from '../../../src/server/stores/postgres-schema.js'
import { openPostgresStore } from '../../../src/server/stores/postgres-store.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { expectBackfilled, expectWhereBackfilled } from '../../contract/insights-backfill.js'
import { dayMs, firstDay, plantHistory, v1Row } from '../../contract/insights-history.js'
import { scratchSchemas } from '../../support/postgres-schemas.js'

describe('PostgreSQL store', () => {
  const { admin, connectionString, newSchema } = scratchSchemas()

  it.each(['Tally', 'tally-data', 'a"; DROP SCHEMA public; --', '', '1tally', 'x'.repeat(64)])(
    'refuses the schema name %j at once, before connecting',
    schema => {
      expect(() => openPostgresStore({ connectionString, schema })).toThrow(RangeError)
    },
  )

  it('keeps its tables in its schema and records the applied steps', async () => {
    const schema = newSchema()
    const store = openPostgresStore({ connectionString, schema })
    expect(store.kind).toBe('postgres')
    try {
      await store.migrate()
      const { rows } = await admin.query<{ events: string | null; version: number }>(
        `SELECT to_regclass('${schema}.events')::text AS events,
           (SELECT max(version) FROM ${schema}.schema_migrations) AS version`,
      )
      expect(rows[0]).toEqual({
        events: `${schema}.events`,
        version: postgresMigrations.at(-1)?.version,
      })
    } finally {
      await store.close()
    }
  })

  it('refuses a database migrated by a newer Tally', async () => {
    const schema = newSchema()
    const store = openPostgresStore({ connectionString, schema })
    try {
      await store.migrate()
      await admin.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES (999)`)
      const refused = store.migrate()
      await expect(refused).rejects.toThrow(/version 999, newer than this Tally knows/)
      await expect(refused).rejects.toMatchObject({
        name: 'StoreError',
        kind: 'postgres',
        operation: 'migrate',
        retryable: false,
      })
    } finally {
      await store.close()
    }
  })
  /** A schema at version 1 holding `planted`, then the steps up to `version` applied. */
  const plantedAt = async (planted: ReturnType<typeof plantHistory>, version: number) => {
    const schema = newSchema()
    const client = await admin.connect()
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`)
      await client.query(postgresMigrations[0]?.sql ?? '')
      await client.query(
        `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
         INSERT INTO schema_migrations (version) VALUES (1)`,
      )
      const rows = planted.map(v1Row)
      await client.query(
        `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
           received_at, payload)
         SELECT id, user_id, feature, action, at, at, at, payload
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::json[])
           AS v1 (id, user_id, feature, action, at, payload)`,
        [
          rows.map(row => row.id),
          rows.map(row => row.userId),
          rows.map(row => row.feature),
          rows.map(row => row.action),
          rows.map(row => new Date(row.ms).toISOString()),
          rows.map(row => row.payload),
        ],
      )
      for (const step of postgresMigrations.filter(m => m.version > 1 && m.version <= version)) {
        await client.query(step.sql)
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [step.version])
      }
      return { schema, client }
    } catch (error) {
      client.release()
      throw error
    }
  }

  /** Gives a client of `plantedAt` back to the pool with the search path it was lent with. */
  const giveBack = async (client: PoolClient) => {
    await client.query('SET search_path = DEFAULT')
    client.release()
  }

  /** Migrates `schema` to the last version through a store, then checks it with `check`. */
  const migrateThen = async (
    schema: string,
    check?: (store: ServerEventStore) => Promise<void>,
  ) => {
    const store = openPostgresStore({ connectionString, schema })
    try {
      await store.migrate()
      await check?.(store)
    } finally {
      await store.close()
    }
  }

  it('backfills the insights from the events stored before version 2', async () => {
    const planted = plantHistory()
    const { schema, client } = await plantedAt(planted, 1)
    await giveBack(client)
    await migrateThen(schema, async store => {
      await expectBackfilled(store, planted)
      await expectWhereBackfilled(store, planted, firstDay)
    })
  })

  it('backfills the flag rollups at version 5 from the raw events still stored, and says since when', async () => {
    const planted = plantHistory()
    // Rollups at version 3 hold every day; then retention drops the raw events of the first 50.
    const { schema, client } = await plantedAt(planted, 3)
    const keptFrom = firstDay + 50
    try {
      await client.query('DELETE FROM events WHERE timestamp < $1', [new Date(keptFrom * dayMs)])
    } finally {
      await giveBack(client)
    }
    await migrateThen(schema, store => expectWhereBackfilled(store, planted, keptFrom))
  })

  /** Rows of a version 1 schema or later, one user's `search`/`submitted`, with these payloads. */
  const insertPayloads = (client: PoolClient, ids: string[], payloads: string[]) =>
    client.query(
      `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
         received_at, payload)
       SELECT id, 1, 'search', 'submitted', now(), now(), now(), payload
       FROM unnest($1::text[], $2::json[]) AS v (id, payload)`,
      [ids, payloads],
    )

  it('backfills at version 6 the metadata pairs as the store writes them, whatever the payload holds', async () => {
    const { client } = await plantedAt([], 5)
    // Numbers JavaScript writes in other forms, a key with a dot, none at all, and payloads
    // whose privateMetadata holds what PostgreSQL's json operators refuse.
    const metadatas: (Record<string, number> | undefined)[] = [
      { regex: 1, durationMs: 250 },
      { big: 1e21, tiny: 5e-7, negative: -0.25, 'a.b': 3 },
      {},
      undefined,
      { count: 7 },
      { count: 8 },
    ]
    const privates = [undefined, undefined, undefined, undefined, { q: '\u0000' }, { q: '\ud800' }]
    try {
      const payloads = metadatas.map((metadata, index) =>
        JSON.stringify({
          id: `e${index}`,
          parameters: {
            version: 1,
            ...(metadata && { metadata }),
            ...(privates[index] && { privateMetadata: privates[index] }),
          },
        }),
      )
      await insertPayloads(
        client,
        metadatas.map((_, index) => `e${index}`),
        payloads,
      )
      const step = postgresMigrations.find(m => m.version === 6)
      await client.query(step?.sql ?? '')
      const { rows } = await client.query<{ id: string; metadata: string }>(
        'SELECT id, metadata FROM events ORDER BY id',
      )
      expect(rows.map(row => row.metadata)).toEqual(metadatas.map(metadataPairs))
    } finally {
      await giveBack(client)
    }
  })

  it('migrates from version 1 events whose privateMetadata holds what json operators refuse', async () => {
    const { schema, client } = await plantedAt([], 1)
    try {
      const payloads = ['\u0000', '\udc00'].map(q =>
        JSON.stringify({
          id: `odd-${q.charCodeAt(0)}`,
          sessionId: `session-${q.charCodeAt(0)}`,
          parameters: { version: 1, metadata: { regex: 1 }, privateMetadata: { q } },
        }),
      )
      await insertPayloads(client, ['odd-0', 'odd-56320'], payloads)
    } finally {
      await giveBack(client)
    }
    await migrateThen(schema)
    const { rows } = await admin.query<{ id: string; session_id: string; metadata: string }>(
      `SELECT id, session_id, metadata FROM ${schema}.events ORDER BY id`,
    )
    expect(rows).toEqual([
      { id: 'odd-0', session_id: 'session-0', metadata: ',regex=1,' },
      { id: 'odd-56320', session_id: 'session-56320', metadata: ',regex=1,' },
    ])
  })

  it('upgrades a version 3 schema with the ping log, its events and rollups kept', async () => {
    const schema = newSchema()
    const client = await admin.connect()
    const planted = plantHistory()
    let rollupRows: string | undefined
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`)
      const [first, ...upToThree] = postgresMigrations.filter(step => step.version <= 3)
      await client.query(first?.sql ?? '')
      const rows = planted.map(v1Row)
      await client.query(
        `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
           received_at, payload)
         SELECT id, user_id, feature, action, at, at, at, payload
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::json[])
           AS v1 (id, user_id, feature, action, at, payload)`,
        [
          rows.map(row => row.id),
          rows.map(row => row.userId),
          rows.map(row => row.feature),
          rows.map(row => row.action),
          rows.map(row => new Date(row.ms).toISOString()),
          rows.map(row => row.payload),
        ],
      )
      for (const step of upToThree) await client.query(step.sql)
      await client.query(
        `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
         INSERT INTO schema_migrations (version) VALUES (1), (2), (3)`,
      )
      rollupRows = (await client.query<{ n: string }>('SELECT count(*) AS n FROM usage_daily'))
        .rows[0]?.n
    } finally {
      await client.query('SET search_path = DEFAULT')
      client.release()
    }
    const store = openPostgresStore({ connectionString, schema })
    try {
      await store.migrate()
      await expectBackfilled(store, planted)
      const settledAt = new Date(Date.UTC(2026, 10, 21))
      await store.recordPing({ day: 20_412, status: 'refused', body: '{}', reason: 'r', settledAt })
      expect(await store.pingLog(5)).toEqual([
        { day: 20_412, status: 'refused', body: '{}', reason: 'r', settledAt },
      ])
    } finally {
      await store.close()
    }
    const { rows: after } = await admin.query<{ version: number; n: string }>(
      `SELECT (SELECT max(version) FROM ${schema}.schema_migrations) AS version,
         (SELECT count(*) FROM ${schema}.usage_daily) AS n`,
    )
    expect(after[0]).toEqual({ version: postgresMigrations.at(-1)?.version, n: rollupRows })
  })
})
