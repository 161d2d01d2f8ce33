// A PostgreSQL schema per test for the contract suites that run against a real database.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll } from 'vitest'

/** The database the PostgreSQL tests use: DATABASE_URL, or the local one. */
export const testDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface PostgresTestSchemas {
  readonly connectionString: string
  /** The running test's schema: named on its first call, once the database has answered. */
  readonly schema: () => Promise<string>
  /** Drops the running test's schema and every schema named after it (a gateway's instances'). */
  readonly cleanup: () => Promise<void>
}

/**
 * Schemas named `<prefix><random>` in the database at DATABASE_URL (a local one by default).
 * `suite` names the contract in the error that an unreachable database raises.
 */
export function postgresTestSchemas(prefix: string, suite: string): PostgresTestSchemas {
  const connectionString = testDatabaseUrl
  // A connection timeout under the 5 s test timeout, so that the first test too fails with the
  // message below when the host does not answer at all.
  const admin = new pg.Pool({ connectionString, connectionTimeoutMillis: 3_000, max: 2 })
  admin.on('error', () => undefined)
  afterAll(() => admin.end())

  /**
   * CI must run these tests, so an unreachable database fails every one of them (rather than
   * skipping them, or failing a hook that reports them as skipped) with the way to fix it.
   */
  let reachable: Promise<void> | undefined
  const checkReachable = () =>
    (reachable ??= admin.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => {
        const where = connectionString.replace(/\/\/[^@/]*@/, '//…@')
        throw new Error(
          `PostgreSQL is unreachable at ${where}: start it or set DATABASE_URL. ` +
            `The PostgreSQL ${suite} contract never skips.`,
          { cause: error },
        )
      },
    ))

  let current: string | undefined
  return {
    connectionString,
    async schema() {
      await checkReachable()
      current ??= `${prefix}${randomBytes(8).toString('hex')}`
      return current
    },
    async cleanup() {
      const dropping = current
      current = undefined
      if (dropping === undefined) return
      const { rows } = await admin.query<{ name: string }>(
        'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
        [dropping],
      )
      for (const { name } of rows) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
    },
  }
}

export interface ScratchSchemas {
  readonly connectionString: string
  /** A connection of the test's own, to look at or break what a store did. */
  readonly admin: pg.Pool
  /** A new schema's name, `tally_test_<random>`, dropped after the file's tests. */
  readonly newSchema: () => string
}

/**
 * For a file whose tests each open stores on schemas of their own (the PostgreSQL store's own
 * tests): names them and drops them all once the file is done.
 */
export function scratchSchemas(): ScratchSchemas {
  const connectionString = testDatabaseUrl
  const admin = new pg.Pool({ connectionString, connectionTimeoutMillis: 3_000, max: 1 })
  admin.on('error', () => undefined)
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })
  return {
    connectionString,
    admin,
    newSchema() {
      const schema = `tally_test_${randomBytes(8).toString('hex')}`
      schemas.push(schema)
      return schema
    },
  }
}
