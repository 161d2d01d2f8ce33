import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresMigrations } from '../../../src/server/stores/postgres-schema.js'
import { openPostgresStore } from '../../../src/server/stores/postgres-store.js'

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

describe('PostgreSQL store', () => {
  const admin = new pg.Pool({ connectionString, connectionTimeoutMillis: 3_000, max: 1 })
  admin.on('error', () => undefined)
  const schemas: string[] = []
  const newSchema = () => {
    const schema = `tally_test_${randomBytes(8).toString('hex')}`
    schemas.push(schema)
    return schema
  }
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

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
})
