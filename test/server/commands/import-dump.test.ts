import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { dumpEvents } from '../../../src/server/commands/dump.js'
import {
  describeImport,
  importBatchEvents,
  importEvents,
  importIntoStore,
  readLines,
} from '../../../src/server/commands/import.js'
import { openStore } from '../../../src/server/commands/options.js'
import { features } from '../../../src/server/insights/features.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { firstDay, importLine, plantHistory } from '../../contract/insights-history.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'

const directories: string[] = []
const directory = async () => {
  const made = await mkdtemp(join(tmpdir(), 'tally-dump-'))
  directories.push(made)
  return made
}
afterEach(async () => {
  await Promise.all(directories.splice(0).map(made => rm(made, { recursive: true, force: true })))
})

describe('tally dump | tally import', () => {
  it('moves every event, its user and its times from one store to another through a file', async () => {
    const planted = plantHistory()
    const [from, to, files] = [await directory(), await directory(), await directory()]
    // CRLF line ends, as a file edited on Windows has them.
    await writeFile(join(files, 'planted.jsonl'), planted.map(importLine).join('\r\n'))
    const planting = readLines(createReadStream(join(files, 'planted.jsonl')))
    expect(await importEvents({ dataDir: from, maxBatchEvents: 64 }, planting)).toEqual({
      stored: planted.length,
      present: 0,
      refused: 0,
      reasons: [],
    })
    // The import leaves the rollups counting every row it stored: the first question after it
    // has nothing to catch up on.
    const db = new Database(join(from, 'tally.db'), { readonly: true })
    try {
      const through = db.prepare('SELECT through FROM rollup_progress').pluck().get()
      expect(through).toBe(db.prepare('SELECT max(rowid) FROM events').pluck().get())
      expect(through).toBe(planted.length)
    } finally {
      db.close()
    }

    const chunks: string[] = []
    const written = await dumpEvents({ dataDir: from }, chunk => void chunks.push(chunk))
    expect(written).toBe(planted.length)
    await writeFile(join(files, 'dump.jsonl'), chunks.join(''))
    const summary = await importEvents(
      { dataDir: to },
      readLines(createReadStream(join(files, 'dump.jsonl'))),
    )
    expect(describeImport(summary)).toBe(`${planted.length} stored, 0 already present, 0 refused`)

    const [source, copy] = [await openStore({ dataDir: from }), await openStore({ dataDir: to })]
    try {
      const ids = planted.map(event => event.id)
      expect(await copy.get(ids)).toEqual(await source.get(ids))
      const window = { from: firstDay, to: firstDay + 119 }
      const [sourceInsights, copyInsights] = [source.insights, copy.insights]
      if (sourceInsights === undefined || copyInsights === undefined) {
        throw new Error('SQLite keeps insights')
      }
      expect(await features(copyInsights, window)).toEqual(await features(sourceInsights, window))
    } finally {
      await Promise.all([source.close(), copy.close()])
    }
  })

  it('prints the first refusals under the counts', () => {
    expect(
      describeImport({ stored: 2, present: 1, refused: 2, reasons: ['line 3: not JSON'] }),
    ).toBe('2 stored, 1 already present, 2 refused\n  line 3: not JSON')
  })
})

describe('importIntoStore batches', () => {
  /** The memory store posing as `kind`, recording the size of each batch it is given. */
  const storeOf = (kind: ServerEventStore['kind']) => {
    const store = createMemoryServerEventStore()
    const batches: number[] = []
    const insert = store.insert.bind(store)
    const posing: ServerEventStore = {
      ...store,
      kind,
      insert: events => {
        batches.push(events.length)
        return insert(events)
      },
    }
    return { store: posing, batches }
  }
  const [model] = plantHistory()
  const line = JSON.parse(importLine(model as Parameters<typeof importLine>[0])) as object
  const lines = (count: number) =>
    Array.from({ length: count }, (_, n) =>
      JSON.stringify({ ...line, id: `batched-${String(n).padStart(6, '0')}` }),
    )

  it('stores 50,000 lines a transaction on SQLite and 10,000 on PostgreSQL unless told', async () => {
    const input = lines(60_001)
    const sqlite = storeOf('sqlite')
    const postgres = storeOf('postgres')
    expect((await importIntoStore(sqlite.store, input)).stored).toBe(60_001)
    expect((await importIntoStore(postgres.store, input)).stored).toBe(60_001)
    expect(sqlite.batches).toEqual([importBatchEvents.sqlite, 10_001])
    expect(importBatchEvents.sqlite).toBe(50_000)
    expect(postgres.batches).toEqual([...Array<number>(6).fill(10_000), 1])
    const told = storeOf('sqlite')
    await importIntoStore(told.store, input.slice(0, 5), { maxBatchEvents: 2 })
    expect(told.batches).toEqual([2, 2, 1])
  })
})
