import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../src/protocol/event.js'
import type { IngestedEvent } from '../../src/server/stores/server-event-store.js'
import { at, idOf, ids, ingested, minute, series, type ContractStores } from './fixtures.js'

/** `userId`, `insert` and `get`: what ingest writes and reads back. */
export function describeIngestContract({ fresh }: ContractStores): void {
  describe('userId', () => {
    it('is a positive integer, the same for a subject on every call and every store', async () => {
      const store = await fresh()
      const other = await fresh()
      const id = await store.userId('token:ci')
      expect(Number.isSafeInteger(id) && id > 0).toBe(true)
      expect(await store.userId('token:ci')).toBe(id)
      expect(await other.userId('token:ci')).toBe(id)
    })

    it('differs across subjects, case and unicode included', async () => {
      const store = await fresh()
      const subjects = ['token:ci', 'session:alice', 'session:Alice', 'anonymous:ünïcødé-👩‍💻', '']
      const userIds = await Promise.all(subjects.map(subject => store.userId(subject)))
      expect(new Set(userIds).size).toBe(subjects.length)
      for (const [i, subject] of subjects.entries()) {
        expect(await store.userId(subject)).toBe(userIds[i])
      }
    })

    it('gives one id when two stores create the same subject at once', async () => {
      const [a, b] = [await fresh(), await fresh()]
      const subjects = Array.from({ length: 20 }, (_, i) => `anonymous:${i}`)
      const pairs = await Promise.all(
        subjects.map(subject => Promise.all([a.userId(subject), b.userId(subject)])),
      )
      for (const [fromA, fromB] of pairs) expect(fromA).toBe(fromB)
      expect(new Set(pairs.map(([id]) => id)).size).toBe(subjects.length)
    })
  })

  describe('insert', () => {
    it('resolves with the number of new rows', async () => {
      const store = await fresh()
      expect(await store.insert(series(3))).toBe(3)
      expect(await store.insert([])).toBe(0)
      expect(await store.insert(series(4, 2))).toBe(3)
      expect((await store.stats()).total).toBe(6)
    })

    it('stores an id repeated within one batch once', async () => {
      const store = await fresh()
      const [first, second] = series(2)
      if (first === undefined || second === undefined) throw new Error('unreachable')
      expect(await store.insert([first, second, first, first])).toBe(2)
      expect((await store.stats()).total).toBe(2)
    })

    it('leaves a stored event as it was when its id comes again', async () => {
      const store = await fresh()
      await store.insert([ingested('dup-00001', { privateMetadata: { sent: 'first' } })])
      const again = ingested('dup-00001', {
        privateMetadata: { sent: 'second' },
        receivedAt: at(50),
        userId: 2,
      })
      expect(await store.insert([again, ingested('new-00001')])).toBe(1)
      const [row] = await store.get(['dup-00001'])
      expect(row?.event.parameters.privateMetadata).toEqual({ sent: 'first' })
      expect(row?.receivedAt).toEqual(at(0))
      expect(row?.userId).toBe(1)
      expect((await store.stats()).total).toBe(2)
    })

    it('in one batch mixing new ids, repeated ids and stored ids, adds each new id once, the first of its copies', async () => {
      const store = await fresh()
      await store.insert([ingested('stored-0001', { privateMetadata: { copy: 'stored' } })])
      const batch = [
        ingested('new-00002', { privateMetadata: { copy: 'first' } }),
        ingested('stored-0001', { privateMetadata: { copy: 'again' } }),
        ingested('new-00001', { privateMetadata: { copy: 'first' } }),
        ingested('new-00002', { privateMetadata: { copy: 'second' } }),
        ingested('stored-0001', { privateMetadata: { copy: 'again twice' } }),
        ingested('new-00001', { privateMetadata: { copy: 'second' } }),
      ]
      expect(await store.insert(batch)).toBe(2)
      const rows = await store.get(['stored-0001', 'new-00001', 'new-00002'])
      expect(rows.map(row => [row.event.id, row.event.parameters.privateMetadata])).toEqual([
        ['stored-0001', { copy: 'stored' }],
        ['new-00001', { copy: 'first' }],
        ['new-00002', { copy: 'first' }],
      ])
      expect((await store.stats()).total).toBe(3)
    })

    it('never duplicates an id when two stores insert overlapping batches at once', async () => {
      const [a, b] = [await fresh(), await fresh()]
      // Overlapping in opposite orders: a store that locked ids in batch order could
      // deadlock here (PostgreSQL inserts in id order for that reason).
      const rounds = 5
      for (let round = 0; round < rounds; round++) {
        const base = round * 1_000
        const counts = await Promise.all([
          a.insert(series(600, base)),
          b.insert(series(600, base + 300).reverse()),
          a.insert(series(100, base + 250).reverse()),
        ])
        expect(counts.reduce((sum, count) => sum + count, 0)).toBe(900)
      }
      const all = Array.from({ length: rounds }, (_, round) =>
        Array.from({ length: 900 }, (_, i) => idOf(round * 1_000 + i)),
      ).flat()
      expect(ids(await a.get(all))).toEqual(all)
      expect((await b.stats()).total).toBe(rounds * 900)
    })

    it('takes a batch of 1,000 events in one call', async () => {
      const store = await fresh()
      const batch = Array.from({ length: 1_000 }, (_, i) =>
        ingested(idOf(i), { privateMetadata: { query: `repo:‹sourcegraph/${i}›`, i } }),
      )
      expect(await store.insert(batch)).toBe(1_000)
      expect(await store.insert(batch)).toBe(0)
      expect(await store.stats()).toMatchObject({ total: 1_000, backlog: 1_000 })
    })

    it('keeps the export state an event arrives with (a dump imported): only a waiting one is exported', async () => {
      const store = await fresh()
      const [waiting, exported, refused] = series(3)
      if (!waiting || !exported || !refused) throw new Error('unreachable')
      expect(
        await store.insert([
          { ...waiting, exportedAt: null, exportRejection: null },
          { ...exported, exportedAt: at(50) },
          { ...refused, exportedAt: at(60), exportRejection: 'not on the allowlist' },
        ]),
      ).toBe(3)
      const rows = await store.get(ids([waiting, exported, refused]))
      expect(rows.map(row => [row.exportedAt?.getTime() ?? null, row.exportRejection])).toEqual([
        [null, null],
        [at(50).getTime(), null],
        [at(60).getTime(), 'not on the allowlist'],
      ])
      expect(await store.stats()).toMatchObject({ total: 3, backlog: 1 })
      expect(ids(await store.claimForExport(10, minute, at(100)))).toEqual(ids([waiting]))
    })
  })

  describe('get', () => {
    it('returns real Dates and the event exactly as it was stored', async () => {
      const store = await fresh()
      const userId = await store.userId('token:ci')
      const stored: IngestedEvent = {
        event: {
          id: 'V1StGXR8_Z5jdHi6B-myT',
          timestamp: new Date('2026-11-27T11:59:58.123Z'),
          feature: 'blob.codeintel',
          action: 'goToDefinition',
          source: { client: 'vscode', clientVersion: '1.2.3' },
          sessionId: 'sess_8Dk2-ZQ',
          parameters: {
            version: 3,
            metadata: { regex: 1, resultCount: 37, durationMs: 12.5 },
            privateMetadata: { languageId: 'typescript' },
            billingMetadata: { product: 'code-search', category: 'core' },
            interactionId: 'interaction-1',
          },
        },
        userId,
        receivedAt: new Date('2026-11-27T12:00:00.456Z'),
        correctedTimestamp: new Date('2026-11-27T11:59:59.789Z'),
      }
      await store.insert([stored])
      const [row] = await store.get([stored.event.id])
      expect(row).toEqual({ ...stored, exportedAt: null, exportRejection: null })
      expect(row?.event.timestamp).toBeInstanceOf(Date)
      expect(row?.receivedAt).toBeInstanceOf(Date)
      expect(row?.correctedTimestamp).toBeInstanceOf(Date)
    })

    it('keeps privateMetadata intact: nested JSON, unicode, markers, control characters', async () => {
      const store = await fresh()
      const privateMetadata: Record<string, JsonValue> = {
        query: 'repo:‹github.com/acme/api› type:symbol ‹secret›',
        forged: '‹×› › ‹',
        nested: { deep: [1, 2.5, -3, { none: null, yes: true, no: false, list: ['…'] }] },
        unicode: 'naïve 日本語 👩‍💻 e\u0301 \u202e',
        control: 'a\u0000b\nc\td\u001f"\\',
        loneSurrogate: '\ud800 and \udfff',
        empty: {},
        emptyList: [],
        numbers: [0, -0.5, 1e300, 5e-324, Number.MAX_SAFE_INTEGER],
        'key with spaces and ‹markers›': 'x',
      }
      await store.insert([ingested('private-0001', { privateMetadata })])
      const [row] = await store.get(['private-0001'])
      expect(row?.event.parameters.privateMetadata).toEqual(privateMetadata)
    })

    it('round-trips any JSON in privateMetadata', async () => {
      const store = await fresh()
      let next = 0
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 8 }),
          async values => {
            // What JSON itself preserves (-0 becomes 0): the store promises no more than that.
            const privateMetadata = JSON.parse(JSON.stringify({ values })) as Record<
              string,
              JsonValue
            >
            const id = idOf(next++)
            await store.insert([ingested(id, { privateMetadata })])
            const [row] = await store.get([id])
            expect(row?.event.parameters.privateMetadata).toEqual(privateMetadata)
          },
        ),
        { numRuns: 40 },
      )
    })

    it('returns the rows asked for, in the order asked, each once, skipping unknown ids', async () => {
      const store = await fresh()
      await store.insert(series(3))
      expect(ids(await store.get([idOf(2), 'missing-1', idOf(0), idOf(2)]))).toEqual([
        idOf(2),
        idOf(0),
      ])
      expect(await store.get([])).toEqual([])
    })
  })
}
