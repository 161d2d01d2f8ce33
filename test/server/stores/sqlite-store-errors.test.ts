import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { bearerTokens } from '../../../src/server/auth.js'
import { isStoreError, type StoreError } from '../../../src/server/errors/store-error.js'
import { openSqliteGatewayStore } from '../../../src/server/gateway/sqlite-gateway-store.js'
import { createTelemetryHandler } from '../../../src/server/handler.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { sqliteFailure } from '../../../src/server/stores/sqlite-failure.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { sampleEvent } from '../../support/events.js'
import { samplePing } from '../../support/gateway-data.js'
import { ingested } from '../../support/server-events.js'

/** The StoreError `work` fails with, whether it throws or rejects. */
async function storeErrorOf(work: () => unknown): Promise<StoreError> {
  try {
    await work()
  } catch (error) {
    if (isStoreError(error)) return error
    throw error
  }
  throw new Error('expected a StoreError, and nothing failed')
}

const causeCode = (error: StoreError) => (error.cause as { code?: unknown } | undefined)?.code

describe('SQLite store failures', () => {
  let directory: string | undefined
  const temporary = async () => (directory ??= await mkdtemp(join(tmpdir(), 'tally-fail-')))
  const closing: { close(): Promise<void> }[] = []
  const opened = <T extends { close(): Promise<void> }>(store: T) => {
    closing.push(store)
    return store
  }
  afterEach(async () => {
    await Promise.all(closing.splice(0).map(store => store.close()))
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
    directory = undefined
  })

  it('a file that is no database fails to open with a StoreError naming it', async () => {
    const path = join(await temporary(), 'tally.db')
    await writeFile(path, 'these are not the pages you are looking for '.repeat(200))
    const error = await storeErrorOf(() => openSqliteStore({ path }))
    expect(error).toMatchObject({ kind: 'sqlite', operation: 'open', retryable: false })
    expect(error.message).toContain(path)
    expect(causeCode(error)).toBe('SQLITE_NOTADB')
  })

  it('a directory that cannot be made fails to open, the file system error as cause', async () => {
    const blocker = join(await temporary(), 'not-a-directory')
    await writeFile(blocker, '')
    const error = await storeErrorOf(() =>
      openSqliteStore({ path: join(blocker, 'data', 'tally.db') }),
    )
    expect(error).toMatchObject({ operation: 'open', retryable: false })
    expect(causeCode(error)).toBe('ENOTDIR')
  })

  it('a database holding tables that are not Tally’s fails to migrate, and stays as it was', async () => {
    const path = join(await temporary(), 'tally.db')
    const foreign = new Database(path)
    foreign.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('alice')")
    foreign.close()
    const store = opened(openSqliteStore({ path }))
    const error = await storeErrorOf(() => store.migrate())
    expect(error).toMatchObject({ kind: 'sqlite', operation: 'migrate', retryable: false })
    expect(error.message).toMatch(/table users already exists/)
    expect(causeCode(error)).toBe('SQLITE_ERROR')
    const check = new Database(path, { readonly: true })
    expect(check.prepare('SELECT name FROM users').pluck().all()).toEqual(['alice'])
    expect(check.pragma('user_version', { simple: true })).toBe(0)
    check.close()
  })

  it('a failed insert is a StoreError with the driver error as cause, and stores none of the batch', async () => {
    const path = join(await temporary(), 'tally.db')
    const store = opened(openSqliteStore({ path }))
    await store.migrate()
    refuseInserts(path, "NEW.id = 'poison-00001'")
    const batch = [ingested(), ingested(), ingested({ id: 'poison-00001' })]
    const error = await storeErrorOf(() => store.insert(batch))
    expect(error).toMatchObject({ kind: 'sqlite', operation: 'insert', retryable: false })
    expect(error.message).toContain('disk on fire')
    expect(causeCode(error)).toBe('SQLITE_CONSTRAINT_TRIGGER')
    expect(await store.stats()).toMatchObject({ total: 0 })
  })

  it('a failed insert still answers 503 with Retry-After, so that the client keeps the batch', async () => {
    const path = join(await temporary(), 'tally.db')
    const store: ServerEventStore = opened(openSqliteStore({ path }))
    await store.migrate()
    refuseInserts(path, 'true')
    const handler = createTelemetryHandler({
      store,
      authenticate: bearerTokens(new Map([['ci', 'sgp_local_0123456789abcdef']])),
    })
    const response = await handler.fetch(
      new Request('http://127.0.0.1/.api/telemetry/events', {
        method: 'POST',
        body: encodeBatch({ events: [sampleEvent()], sentAt: new Date() }),
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sgp_local_0123456789abcdef',
        },
      }),
    )
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } })
  })

  it('a database locked by another writer gives a retryable error; other failures do not', async () => {
    const path = join(await temporary(), 'tally.db')
    const holder = new Database(path)
    const waiter = new Database(path, { timeout: 0 })
    holder.exec('CREATE TABLE t (x)')
    holder.exec('BEGIN IMMEDIATE')
    let busy: unknown
    try {
      waiter.exec('INSERT INTO t VALUES (1)')
    } catch (error) {
      busy = error
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
      waiter.close()
    }
    expect((busy as { code?: unknown }).code).toBe('SQLITE_BUSY')
    const wrapped = sqliteFailure('insert', path, busy)
    expect(wrapped).toMatchObject({ operation: 'insert', retryable: true })
    expect(wrapped.cause).toBe(busy)
    expect(
      sqliteFailure(
        'insert',
        path,
        Object.assign(new Error('x'), { code: 'SQLITE_LOCKED_SHAREDCACHE' }),
      ).retryable,
    ).toBe(true)
    expect(
      sqliteFailure('insert', path, Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))
        .retryable,
    ).toBe(false)
    expect(sqliteFailure('insert', path, new Error('no code')).retryable).toBe(false)
  })

  it('the gateway store fails to open a file that is no database with a StoreError', async () => {
    const dataDir = await temporary()
    await writeFile(join(dataDir, 'gateway.db'), 'x'.repeat(4096))
    const error = await storeErrorOf(() => openSqliteGatewayStore({ dataDir }))
    expect(error).toMatchObject({ kind: 'sqlite', operation: 'open' })
    expect(causeCode(error)).toBe('SQLITE_NOTADB')
  })

  it('a failed gateway ping insert is a StoreError with the driver error as cause', async () => {
    const dataDir = await temporary()
    const store = opened(await openSqliteGatewayStore({ dataDir }))
    const other = new Database(join(dataDir, 'gateway.db'))
    other.exec('DROP TABLE pings')
    other.close()
    const error = await storeErrorOf(() =>
      store.insertPing(samplePing('acme', '2026-11-26'), new Date()),
    )
    expect(error).toMatchObject({ kind: 'sqlite', operation: 'insert' })
    expect(causeCode(error)).toBe('SQLITE_ERROR')
  })
})

/** Another connection adds a trigger that fails the insert of every row matching `when`. */
function refuseInserts(path: string, when: string): void {
  const other = new Database(path)
  other.exec(
    `CREATE TRIGGER refuse BEFORE INSERT ON events WHEN ${when}
     BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
  )
  other.close()
}
