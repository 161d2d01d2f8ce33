import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  flagSignature,
  metadataPairs,
  pairsFlagSignature,
} from '../../../src/server/stores/metadata-pairs.js'

/** Metadata as validation lets it through: keys of letters, digits and `. _ -`, finite numbers. */
const metadata = fc.dictionary(
  fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
  fc.oneof(
    fc.constantFrom(0, 1, -0, -1, 10, 0.1, 1.5, 100, 1e21, 1e-7),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
  ),
  { maxKeys: 8 },
)

describe('metadata pairs and flags', () => {
  it('writes the flags of stored pairs exactly as of the metadata they were written from', () => {
    // The SQLite store reads back rows its memory did not count (sqlite-deferred-rollups.ts):
    // their flags must key the same rollup rows as the events counted as they arrived.
    fc.assert(
      fc.property(metadata, m => {
        expect(pairsFlagSignature(metadataPairs(m))).toBe(flagSignature(m))
      }),
      { numRuns: 2_000 },
    )
  })

  it('keeps the pairs whose value is 0 or 1, sorted, and nothing else', () => {
    const m = { regex: 1, 'cache.hit': 0, count: 10, ratio: 0.1, delta: -1, zero: -0 }
    expect(flagSignature(m)).toBe(',cache.hit=0,regex=1,zero=0,')
    expect(pairsFlagSignature(metadataPairs(m))).toBe(',cache.hit=0,regex=1,zero=0,')
    expect(flagSignature({ count: 3 })).toBe('')
    expect(pairsFlagSignature(',')).toBe('')
  })
})
