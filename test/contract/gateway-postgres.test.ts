import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll } from 'vitest'
import { openPostgresGatewayStore } from '../../src/server/gateway/postgres-gateway-store.js'
import { describeGatewayStoreContract } from './gateway-store.contract.js'

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const admin = new pg.Pool({ connectionString, connectionTimeoutMillis: 3_000, max: 2 })
admin.on('error', () => undefined)
afterAll(() => admin.end())

// An unreachable database fails every test with the way to fix it, as the instance store's
// PostgreSQL contract does: CI must run these.
let reachable: Promise<void> | undefined
const checkReachable = () =>
  (reachable ??= admin.query('SELECT 1').then(
    () => undefined,
    (error: unknown) => {
      const where = connectionString.replace(/\/\/[^@/]*@/, '//…@')
      throw new Error(
        `PostgreSQL is unreachable at ${where}: start it or set DATABASE_URL. ` +
          'The PostgreSQL gateway store contract never skips.',
        { cause: error },
      )
    },
  ))

// One gateway schema per test; its instances' schemas start with its name and go with it.
let schema: string | undefined

const open = async () => {
  await checkReachable()
  schema ??= `tgw_${randomBytes(8).toString('hex')}`
  // One instance store open at most, so that the contract also runs through evictions.
  return openPostgresGatewayStore({ connectionString, schema, maxOpenInstances: 1 })
}
const cleanup = async () => {
  const dropping = schema
  schema = undefined
  if (dropping === undefined) return
  const { rows } = await admin.query<{ name: string }>(
    'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
    [dropping],
  )
  for (const { name } of rows) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
}

describeGatewayStoreContract('PostgreSQL', open, cleanup)
