import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { importCacheMiB } from '../../../src/server/commands/import.js'
import { tuneSqliteConnection } from '../../../src/server/stores/sqlite-connection.js'
import { sqliteMigrations } from '../../../src/server/stores/sqlite-schema.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { expectBackfilled, expectWhereBackfilled } from '../../contract/insights-backfill.js'
import { dayMs, firstDay, plantHistory, v1Row } from '../../contract/insights-history.js'

describe('SQLite store', () => {
  let directory: string | undefined
  const databasePath = async (...parts: string[]) => {
    directory ??= await mkdtemp(join(tmpdir(), 'tally-sqlite-'))
    return join(directory, ...parts)
  }
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
    directory = undefined
  })

  it('creates missing directories, and the database in WAL mode', async () => {
    const path = await databasePath('a', 'b', 'tally.db')
    const store = openSqliteStore({ path })
    expect(store.kind).toBe('sqlite')
    await store.migrate()
    await store.close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('user_version', { simple: true })).toBe(sqliteMigrations.at(-1)?.version)
    db.close()
  })

  it('takes the page cache it is given, 64 MiB unless told, and refuses a size that is none', async () => {
    const path = await databasePath('tally.db')
    for (const cacheMiB of [0, -1, 1.5, Number.NaN]) {
      expect(() => openSqliteStore({ path, cacheMiB })).toThrow(
        /^cacheMiB must be a positive whole number$/,
      )
    }
    const cacheOf = (settings: { cacheMiB?: number }) => {
      const db = new Database(path)
      tuneSqliteConnection(db, settings.cacheMiB)
      const pages = db.pragma('cache_size', { simple: true })
      db.close()
      return pages
    }
    // Negative: KiB rather than pages.
    expect(cacheOf({})).toBe(-64 * 1024)
    expect(cacheOf({ cacheMiB: importCacheMiB })).toBe(-importCacheMiB * 1024)
  })

  it('refuses a database migrated by a newer Tally, and leaves it as it was', async () => {
    const path = await databasePath('tally.db')
    const db = new Database(path)
    db.pragma('user_version = 999')
    db.close()
    const store = openSqliteStore({ path })
    const refused = store.migrate()
    await expect(refused).rejects.toThrow(/version 999, newer than this Tally knows/)
    await expect(refused).rejects.toMatchObject({
      name: 'StoreError',
      kind: 'sqlite',
      operation: 'migrate',
      retryable: false,
    })
    await store.close()
    const reopened = new Database(path, { readonly: true })
    expect(reopened.pragma('user_version', { simple: true })).toBe(999)
    reopened.close()
  })
  /** A version 1 database holding `planted`. */
  const plantedAtVersion1 = async (planted: ReturnType<typeof plantHistory>) => {
    const path = await databasePath('tally.db')
    const db = new Database(path)
    db.exec(sqliteMigrations[0]?.sql ?? '')
    db.pragma('user_version = 1')
    const insert = db.prepare(
      `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
         received_at, payload) VALUES (@id, @userId, @feature, @action, @ms, @ms, @ms, @payload)`,
    )
    db.transaction(() => {
      for (const event of planted) insert.run(v1Row(event))
    })()
    return { path, db }
  }

  it('backfills the insights from the events stored before version 2', async () => {
    const planted = plantHistory()
    const { path, db } = await plantedAtVersion1(planted)
    db.close()
    const store = openSqliteStore({ path })
    try {
      await store.migrate()
      await expectBackfilled(store, planted)
      await expectWhereBackfilled(store, planted, firstDay)
    } finally {
      await store.close()
    }
  })

  it('backfills the flag rollups at version 5 from the raw events still stored, and says since when', async () => {
    const planted = plantHistory()
    const { path, db } = await plantedAtVersion1(planted)
    // Rollups at version 3 hold every day; then retention drops the raw events of the first 50.
    db.exec(sqliteMigrations[1]?.sql ?? '')
    db.exec(sqliteMigrations[2]?.sql ?? '')
    const keptFrom = firstDay + 50
    db.prepare('DELETE FROM events WHERE timestamp < ?').run(keptFrom * dayMs)
    db.pragma('user_version = 3')
    db.close()
    const store = openSqliteStore({ path })
    try {
      await store.migrate()
      await expectWhereBackfilled(store, planted, keptFrom)
    } finally {
      await store.close()
    }
  })

  it('upgrades a version 3 database with the ping log, its events and rollups kept', async () => {
    const path = await databasePath('tally.db')
    const db = new Database(path)
    const [first, ...upToThree] = sqliteMigrations.filter(step => step.version <= 3)
    db.exec(first?.sql ?? '')
    const insert = db.prepare(
      `INSERT INTO events (id, user_id, feature, action, client_timestamp, timestamp,
         received_at, payload) VALUES (@id, @userId, @feature, @action, @ms, @ms, @ms, @payload)`,
    )
    const planted = plantHistory()
    db.transaction(() => {
      for (const event of planted) insert.run(v1Row(event))
    })()
    for (const step of upToThree) db.exec(step.sql)
    db.pragma('user_version = 3')
    const rollupRows = db.prepare('SELECT count(*) FROM usage_daily').pluck().get()
    db.close()
    const store = openSqliteStore({ path })
    try {
      await store.migrate()
      await expectBackfilled(store, planted)
      const settledAt = new Date(Date.UTC(2026, 10, 21))
      await store.recordPing({ day: 20_412, status: 'sent', body: '{}', reason: null, settledAt })
      expect(await store.pingLog(5)).toEqual([
        { day: 20_412, status: 'sent', body: '{}', reason: null, settledAt },
      ])
    } finally {
      await store.close()
    }
    const upgraded = new Database(path, { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(sqliteMigrations.at(-1)?.version)
    expect(upgraded.prepare('SELECT count(*) FROM usage_daily').pluck().get()).toBe(rollupRows)
    upgraded.close()
  })
})
