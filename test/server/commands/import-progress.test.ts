import { describe, expect, it } from 'vitest'
import { importIntoStore, type ImportSummary } from '../../../src/server/commands/import.js'
import { importProgress } from '../../../src/server/commands/import-progress.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'
import { importLine, plantHistory } from '../../contract/insights-history.js'

const counts = (stored: number, present: number, refused: number): ImportSummary => ({
  stored,
  present,
  refused,
  reasons: [],
})

describe('importProgress', () => {
  it('redraws one line in place at most once an interval, with the counts and the rate since the start', () => {
    let clock = 0
    const written: string[] = []
    const progress = importProgress(
      text => void written.push(text),
      () => clock,
      2_000,
    )
    clock = 1_999
    progress.onBatch(counts(10_000, 0, 0))
    expect(written).toEqual([])
    clock = 4_000
    progress.onBatch(counts(39_000, 500, 500))
    expect(written).toEqual([
      '\r40,000 lines: 39,000 stored, 500 already present, 500 refused (10,000 lines/s)',
    ])
    clock = 5_999
    progress.onBatch(counts(50_000, 500, 500))
    expect(written).toHaveLength(1)
    clock = 6_000
    progress.onBatch(counts(6, 0, 0))
    const shorter = '6 lines: 6 stored, 0 already present, 0 refused (1 lines/s)'
    // Padded to the longer line before it, so that none of that line's end stays on screen.
    expect(written[1]).toBe(`\r${shorter.padEnd((written[0] as string).length - 1)}`)
    progress.done()
    expect(written[2]).toBe(`\r${' '.repeat(shorter.length)}\r`)
  })

  it('writes nothing when no line was drawn', () => {
    const written: string[] = []
    const progress = importProgress(
      text => void written.push(text),
      () => 0,
    )
    progress.onBatch(counts(1, 0, 0))
    progress.done()
    expect(written).toEqual([])
  })
})

describe('importIntoStore onBatch', () => {
  it('is told the running counts after each batch stored', async () => {
    const lines = plantHistory().slice(0, 5).map(importLine)
    const told: ImportSummary[] = []
    const summary = await importIntoStore(
      createMemoryServerEventStore(),
      [...lines, lines[0] as string, 'not json'],
      { maxBatchEvents: 2, onBatch: running => void told.push({ ...running }) },
    )
    expect(told.map(({ stored, present, refused }) => [stored, present, refused])).toEqual([
      [2, 0, 0],
      [4, 0, 0],
      [5, 1, 0],
    ])
    expect(summary).toMatchObject({ stored: 5, present: 1, refused: 1 })
  })
})
