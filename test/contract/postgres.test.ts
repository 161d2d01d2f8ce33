import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll } from 'vitest'
import { openPostgresStore } from '../../src/server/stores/postgres-store.js'
import { describeImportDumpContract } from './import-dump.contract.js'
import { describeInsightsContract } from './insights.contract.js'
import { describePingContract } from './ping.contract.js'
import { describeStoreContract } from './server-event-store.contract.js'
import { describeUserQuestionsContract } from './user-questions.contract.js'

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

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
          'The PostgreSQL store contract never skips.',
        { cause: error },
      )
    },
  ))

// One schema per test, made on the test's first open and dropped after the test.
let schema: string | undefined

const open = async () => {
  await checkReachable()
  schema ??= `tally_test_${randomBytes(8).toString('hex')}`
  return openPostgresStore({ connectionString, schema })
}
const cleanup = async () => {
  const dropping = schema
  schema = undefined
  if (dropping !== undefined) await admin.query(`DROP SCHEMA IF EXISTS ${dropping} CASCADE`)
}

describeStoreContract('PostgreSQL', open, cleanup)
describeInsightsContract('PostgreSQL', open, cleanup)
describeImportDumpContract('PostgreSQL', open, cleanup)
describeUserQuestionsContract('PostgreSQL', open, cleanup)
describePingContract('PostgreSQL', open, cleanup)
