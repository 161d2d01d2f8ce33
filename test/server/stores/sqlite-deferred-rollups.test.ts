import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { importIntoStore } from '../../../src/server/commands/import.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import {
  openSqliteStore,
  type SqliteStoreOptions,
} from '../../../src/server/stores/sqlite-store.js'
import { expectBackfilled, expectWhereBackfilled } from '../../contract/insights-backfill.js'
import {
  firstDay,
  importLine,
  plantHistory,
  type Planted,
} from '../../contract/insights-history.js'

/*
 * The SQLite store writes its rollups behind the events (sqlite-deferred-rollups.ts): counts
 * held in memory, written every many batches, with the table's `rollup_progress.through` as
 * the truth. Whatever the path a row takes into the rollups (written mid-ingest, held until a
 * read, read back by another connection after a crash), the answers must be the oracle's.
 */

const planted = plantHistory()
/** Small bounds, so that a planted history is written several times mid-ingest. */
const smallWrites = { maxEvents: 250, maxKeys: 1000 }

describe('SQLite rollups written behind the events', () => {
  let directory: string | undefined
  const opened: ServerEventStore[] = []
  const open = async (options: Partial<SqliteStoreOptions> = {}) => {
    directory ??= await mkdtemp(join(tmpdir(), 'tally-deferred-'))
    const store = openSqliteStore({ path: join(directory, 'tally.db'), ...options })
    opened.push(store)
    await store.migrate()
    return store
  }
  const inspect = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(join(directory ?? '', 'tally.db'), { readonly: true })
    try {
      return read(db)
    } finally {
      db.close()
    }
  }
  const progress = () =>
    inspect(db => ({
      through: db.prepare('SELECT through FROM rollup_progress').pluck().get() as number,
      last: db.prepare('SELECT max(rowid) FROM events').pluck().get() as number,
    }))
  const plant = (store: ServerEventStore, events: readonly Planted[], batch = 97) =>
    importIntoStore(store, events.map(importLine), { maxBatchEvents: batch })
  const expectOracle = async (store: ServerEventStore, events: readonly Planted[]) => {
    await expectBackfilled(store, events)
    await expectWhereBackfilled(store, events, firstDay)
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map(store => store.close()))
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
    directory = undefined
  })

  it('writes the counts when a bound is reached, and the rest at the first read', async () => {
    const store = await open({ rollupWrites: smallWrites })
    await plant(store, planted)
    const before = progress()
    // Written mid-ingest, and not all: the rest is held until a read.
    expect(before.through).toBeGreaterThan(0)
    expect(before.through).toBeLessThan(before.last)
    await expectOracle(store, planted)
    expect(progress()).toEqual({ through: before.last, last: before.last })
  })

  it('counts what a closed (or killed) writer held, from the table, once', async () => {
    const writer = await open()
    await plant(writer, planted)
    await writer.close()
    // Nothing was written: the default bounds are far above the planted history.
    expect(progress().through).toBe(0)
    const reader = await open()
    await expectOracle(reader, planted)
    await expectOracle(reader, planted)
  })

  it('counts each row once when two connections write the same file in turns', async () => {
    const first = await open({ rollupWrites: smallWrites })
    const second = await open()
    // Alternate batches between the connections, each holding counts the other wrote past.
    for (let start = 0, turn = 0; start < planted.length; start += 61, turn += 1) {
      await plant(turn % 2 === 0 ? first : second, planted.slice(start, start + 61))
      if (turn % 5 === 4)
        await expectBackfilled(turn % 2 === 0 ? second : first, planted.slice(0, start + 61))
    }
    await expectOracle(first, planted)
    await expectOracle(second, planted)
    // A duplicate through either connection adds nothing.
    await plant(second, planted.slice(0, 50))
    await plant(first, planted.slice(50, 100))
    await expectOracle(first, planted)
  })

  it('counts the events after a prune emptied the table, where rowids start again', async () => {
    const store = await open()
    const older = planted.slice(0, 400)
    await plant(store, older)
    const everything = { exportedBefore: new Date(8.64e15), unexportedBefore: new Date(8.64e15) }
    expect(await store.prune({ ...everything, maxUnexported: 0 })).toEqual({
      exported: 0,
      unexported: older.length,
    })
    await plant(store, planted.slice(400))
    await store.close()
    // The table started again below the rowids counted before the prune, and the counts of
    // the rows since were held in memory only: another connection reads them back.
    expect(inspect(db => db.prepare('SELECT min(rowid) FROM events').pluck().get())).toBe(1)
    const reader = await open()
    // The rollups keep the pruned events: the answers are the whole history's.
    await expectBackfilled(reader, planted)
  })

  it('counts nothing of an insert that failed, and everything after it', async () => {
    const store = await open()
    await plant(store, planted.slice(0, 200))
    const db = new Database(join(directory ?? '', 'tally.db'))
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.id = '${planted[260]?.id}'
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END`)
    // The batch of 200 to 299 fails at its 61st row, after counting none of it yet.
    await expect(plant(store, planted.slice(200, 300), 100)).rejects.toThrow(/poisoned/)
    db.exec('DROP TRIGGER poison')
    db.close()
    await plant(store, planted.slice(300))
    const stored = planted.filter((_, index) => index < 200 || index >= 300)
    await expectBackfilled(store, stored)
  })

  it('refuses bounds that are not positive whole numbers, before creating anything', async () => {
    directory = await mkdtemp(join(tmpdir(), 'tally-deferred-'))
    const path = join(directory, 'data', 'tally.db')
    for (const rollupWrites of [
      { maxEvents: 0, maxKeys: 10 },
      { maxEvents: 10, maxKeys: 2.5 },
    ]) {
      expect(() => openSqliteStore({ path, rollupWrites })).toThrow(
        /^rollupWrites\.max(Events|Keys) must be a positive whole number$/,
      )
    }
    expect(existsSync(join(directory, 'data'))).toBe(false)
  })
})
