import { describe, expect, it } from 'vitest'
import { isStoreError, type StoreError } from '../../../src/server/errors/store-error.js'
import { postgresFailure } from '../../../src/server/stores/postgres-failure.js'
import { openPostgresStore } from '../../../src/server/stores/postgres-store.js'
import { ingested } from '../../support/server-events.js'
import { scratchSchemas } from '../../support/postgres-schemas.js'

async function storeErrorOf(work: () => Promise<unknown>): Promise<StoreError> {
  try {
    await work()
  } catch (error) {
    if (isStoreError(error)) return error
    throw error
  }
  throw new Error('expected a StoreError, and nothing failed')
}

describe('PostgreSQL store failures', () => {
  const { admin, connectionString, newSchema } = scratchSchemas()

  it('an unreachable database fails to migrate with a retryable StoreError that hides the password', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const store = openPostgresStore({
      connectionString: 'postgres://tally:hunter2-secret@127.0.0.1:1/tally',
    })
    try {
      const error = await storeErrorOf(() => store.migrate())
      expect(error).toMatchObject({ kind: 'postgres', operation: 'migrate', retryable: true })
      expect((error.cause as { code?: unknown }).code).toBe('ECONNREFUSED')
      expect(error.message).toMatch(/^PostgreSQL migrate failed: /)
      expect(error.message).not.toContain('hunter2')
    } finally {
      await store.close()
    }
  })

  it('a failed insert is a StoreError with the database error as cause', async () => {
    const schema = newSchema()
    const store = openPostgresStore({ connectionString, schema })
    try {
      await store.migrate()
      await admin.query(
        `ALTER TABLE ${schema}.events ADD CONSTRAINT refuse CHECK (feature <> 'poison')`,
      )
      const error = await storeErrorOf(() =>
        store.insert([ingested(), ingested({ feature: 'poison' })]),
      )
      expect(error).toMatchObject({ kind: 'postgres', operation: 'insert', retryable: false })
      expect((error.cause as { code?: unknown }).code).toBe('23514')
      expect(await store.stats()).toMatchObject({ total: 0 })
    } finally {
      await store.close()
    }
  })

  it('a failed user lookup is a StoreError too', async () => {
    const schema = newSchema()
    const store = openPostgresStore({ connectionString, schema })
    try {
      // Never migrated: the users table does not exist.
      const error = await storeErrorOf(() => store.userId('token:ci'))
      expect(error).toMatchObject({ kind: 'postgres', operation: 'userId', retryable: false })
      expect((error.cause as { code?: unknown }).code).toBe('42P01')
    } finally {
      await store.close()
    }
  })

  it.each<[string, unknown, boolean]>([
    ['a connection exception', { code: '08006', message: 'connection failure' }, true],
    ['a serialization failure', { code: '40001', message: 'could not serialize' }, true],
    ['a deadlock', { code: '40P01', message: 'deadlock detected' }, true],
    ['too many connections', { code: '53300', message: 'too many clients' }, true],
    ['a server shutting down', { code: '57P01', message: 'terminating connection' }, true],
    ['a reset connection', { code: 'ECONNRESET', message: 'read ECONNRESET' }, true],
    [
      'a pool with no connection in time',
      new Error('timeout exceeded when trying to connect'),
      true,
    ],
    ['a dropped connection', new Error('Connection terminated unexpectedly'), true],
    ['a unique violation', { code: '23505', message: 'duplicate key' }, false],
    ['a missing table', { code: '42P01', message: 'relation does not exist' }, false],
    ['a refused password', { code: '28P01', message: 'password authentication failed' }, false],
    ['an error without code', new Error('something else'), false],
  ])('%s is retryable: %s', (_name, cause, retryable) => {
    expect(postgresFailure('insert', cause).retryable).toBe(retryable)
  })
})
