import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { Ping } from '../../../src/protocol/ping.js'
import type { GatewayCatalog } from '../../../src/server/gateway/gateway-catalog.js'
import { openSqliteGatewayCatalog } from '../../../src/server/gateway/sqlite-gateway-catalog.js'
import { expectAnswersOf, samplePing, variedPings } from '../../support/gateway-data.js'

const receivedAt = new Date('2026-11-12T08:00:00.000Z')
let directory: string | undefined
const opened: GatewayCatalog[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map(catalog => catalog.close()))
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true })
  directory = undefined
})

const databasePath = () =>
  join((directory ??= mkdtempSync(join(tmpdir(), 'tally-catalog-'))), 'gateway.db')

const open = () => {
  const catalog = openSqliteGatewayCatalog(databasePath())
  opened.push(catalog)
  return catalog
}

/** A gateway.db as gateways wrote it before the pings kept their active users in columns. */
function writeOldCatalog(pings: readonly Ping[]) {
  const db = new Database(databasePath())
  try {
    db.exec(`
      CREATE TABLE instances (
        instance TEXT PRIMARY KEY,
        first_seen INTEGER NOT NULL
      );
      CREATE TABLE pings (
        instance TEXT NOT NULL,
        day TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        ping TEXT NOT NULL,
        PRIMARY KEY (instance, day)
      );
      CREATE INDEX pings_by_day ON pings (day, instance);
    `)
    const instance = db.prepare('INSERT OR IGNORE INTO instances VALUES (?, ?)')
    const ping = db.prepare('INSERT INTO pings VALUES (?, ?, ?, ?)')
    for (const entry of pings) {
      instance.run(entry.instance, receivedAt.getTime())
      ping.run(entry.instance, entry.day, receivedAt.getTime(), JSON.stringify(entry))
    }
  } finally {
    db.close()
  }
}

/** The columns and indexes of the pings table, and how SQLite plans the fleet page's sums by day. */
function inspect() {
  const db = new Database(databasePath(), { readonly: true })
  try {
    return {
      columns: db
        .prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(\'pings\') ORDER BY cid')
        .all(),
      indexes: db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pings' AND sql IS NOT NULL",
        )
        .pluck()
        .all(),
      plan: db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT day, total(dau), total(wau), total(mau) FROM pings
           WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day`,
        )
        .all('2026-11-01', '2026-11-10')
        .map(row => (row as { detail: string }).detail),
    }
  } finally {
    db.close()
  }
}

/** The shape of the pings table, however old the file it was opened on. */
const expectedShape = {
  columns: [
    { name: 'instance', type: 'TEXT', notnull: 1, pk: 1 },
    { name: 'day', type: 'TEXT', notnull: 1, pk: 2 },
    { name: 'received_at', type: 'INTEGER', notnull: 1, pk: 0 },
    { name: 'ping', type: 'TEXT', notnull: 1, pk: 0 },
    { name: 'dau', type: 'INTEGER', notnull: 1, pk: 0 },
    { name: 'wau', type: 'INTEGER', notnull: 1, pk: 0 },
    { name: 'mau', type: 'INTEGER', notnull: 1, pk: 0 },
  ],
  indexes: ['pings_by_day_active_users'],
  plan: [expect.stringContaining('USING COVERING INDEX pings_by_day_active_users')],
}

describe('the SQLite gateway catalog', () => {
  it("sums a window's active users by day from its covering index alone", async () => {
    const catalog = open()
    for (const ping of variedPings()) await catalog.insertPing(ping, receivedAt)
    expect(inspect()).toEqual(expectedShape)
  })

  it("migrates an older gateway.db on open: each ping's active users filled from its JSON", async () => {
    const planted = variedPings()
    writeOldCatalog(planted)

    const catalog = open()
    await expectAnswersOf(catalog, planted)
    expect(inspect()).toEqual(expectedShape)

    // A ping stored after the migration, and a second open that finds nothing left to do.
    const later = samplePing('acme', '2026-11-11', { dau: 40, wau: 41, mau: 42 })
    expect(await catalog.insertPing(later, receivedAt)).toBe(true)
    await catalog.close()
    const reopened = open()
    await expectAnswersOf(reopened, [...planted, later])
  })
})
