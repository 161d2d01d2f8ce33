import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { dumpEvents } from '../../../src/server/commands/dump.js'
import { describeImport, importEvents, readLines } from '../../../src/server/commands/import.js'
import { openStore } from '../../../src/server/commands/options.js'
import { features } from '../../../src/server/insights/features.js'
import { firstDay, importLine, plantHistory } from '../../contract/insights-history.js'

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
