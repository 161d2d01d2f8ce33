import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import type { JsonValue, TelemetryEvent } from '../../src/protocol/event.js'
import type {
  IngestedEvent,
  ServerEventStore,
  StoredRow,
} from '../../src/server/stores/server-event-store.js'

const t0 = Date.UTC(2026, 10, 27, 12)
/** A fixed instant `seconds` after t0: claims take their clock as an argument. */
const at = (seconds: number) => new Date(t0 + seconds * 1000)
const minute = 60_000

interface EventOptions {
  receivedAt?: Date
  userId?: number
  privateMetadata?: Record<string, JsonValue>
}

function ingested(id: string, options: EventOptions = {}): IngestedEvent {
  const receivedAt = options.receivedAt ?? at(0)
  const event: TelemetryEvent = {
    id,
    timestamp: new Date(receivedAt.getTime() - 5_000),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: '6.1.0' },
    sessionId: 'session-0001',
    parameters: {
      version: 1,
      metadata: { resultCount: 37 },
      ...(options.privateMetadata === undefined
        ? {}
        : { privateMetadata: options.privateMetadata }),
    },
  }
  return {
    event,
    userId: options.userId ?? 1,
    receivedAt,
    correctedTimestamp: new Date(receivedAt.getTime() - 4_000),
  }
}

const idOf = (n: number) => `event-${String(n).padStart(5, '0')}`

/** Events `from`…`from + count - 1`, each received one second after the one before. */
const series = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ingested(idOf(from + i), { receivedAt: at(from + i) }))

const ids = (rows: readonly { event: TelemetryEvent }[]) => rows.map(row => row.event.id)

const expectDisjoint = (claims: readonly StoredRow[][]) => {
  const all = claims.flatMap(ids)
  expect(new Set(all).size).toBe(all.length)
  return all
}

/**
 * The behaviour every `ServerEventStore` promises. `open` opens a store, not yet migrated, on
 * the current test's database (each call a new connection or pool on the same database);
 * `cleanup` removes that database after each test, once its stores are closed.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} store contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    const openStore = async () => {
      const store = await open()
      opened.push(store)
      return store
    }
    const fresh = async () => {
      const store = await openStore()
      await store.migrate()
      return store
    }

    describe('migrate', () => {
      it('is idempotent: twice, then from another store, and the data stays', async () => {
        const store = await fresh()
        await store.migrate()
        expect(await store.insert(series(3))).toBe(3)
        const other = await openStore()
        await other.migrate()
        await other.migrate()
        expect((await other.stats()).total).toBe(3)
        expect(ids(await other.get([idOf(0)]))).toEqual([idOf(0)])
      })

      it('succeeds for every store when several migrate a new database at once', async () => {
        const stores = [await openStore(), await openStore(), await openStore(), await openStore()]
        await Promise.all(stores.map(store => store.migrate()))
        const counts = await Promise.all(stores.map((store, i) => store.insert(series(1, i))))
        expect(counts).toEqual([1, 1, 1, 1])
        expect((await stores[0]?.stats())?.total).toBe(4)
      })
    })

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

    describe('claimForExport', () => {
      it('claims the oldest rows first, up to the limit', async () => {
        const store = await fresh()
        const events = series(10)
        const order = [5, 2, 9, 0, 7, 1, 8, 3, 6, 4]
        await store.insert(order.map(i => events[i]).filter(event => event !== undefined))
        expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([0, 1, 2, 3].map(idOf))
        expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([4, 5, 6, 7].map(idOf))
        expect(ids(await store.claimForExport(4, minute, at(100)))).toEqual([8, 9].map(idOf))
        expect(await store.claimForExport(4, minute, at(100))).toEqual([])
      })

      it('breaks ties in receipt time by id, in byte order', async () => {
        const store = await fresh()
        await store.insert(['c-000001', 'a-000001', 'B-000001'].map(id => ingested(id)))
        const expected = ['B-000001', 'a-000001', 'c-000001']
        expect(ids(await store.peekExport(10))).toEqual(expected)
        expect(ids(await store.claimForExport(10, minute, new Date()))).toEqual(expected)
      })

      it('returns the rows as get does', async () => {
        const store = await fresh()
        await store.insert(series(3))
        const claimed = await store.claimForExport(3, minute, at(100))
        expect(claimed).toEqual(await store.get(ids(claimed)))
        expect(claimed[0]?.receivedAt).toBeInstanceOf(Date)
      })

      it('skips rows another exporter holds while its lease lasts', async () => {
        const [a, b] = [await fresh(), await fresh()]
        await a.insert(series(10))
        const first = await a.claimForExport(6, minute, at(100))
        const second = await b.claimForExport(10, minute, new Date(at(100).getTime() + minute - 1))
        expect(ids(first)).toEqual([0, 1, 2, 3, 4, 5].map(idOf))
        expect(ids(second)).toEqual([6, 7, 8, 9].map(idOf))
        expect(await a.claimForExport(10, minute, at(101))).toEqual([])
      })

      it('offers rows again once their lease has run out', async () => {
        const store = await fresh()
        await store.insert(series(5))
        const claimed = ids(await store.claimForExport(5, 1_000, at(100)))
        expect(await store.claimForExport(5, 1_000, new Date(at(100).getTime() + 999))).toEqual([])
        expect(
          ids(await store.claimForExport(5, 1_000, new Date(at(100).getTime() + 1_000))),
        ).toEqual(claimed)
      })

      it('offers released rows again at once', async () => {
        const store = await fresh()
        await store.insert(series(5))
        await store.claimForExport(5, minute, at(100))
        await store.release([idOf(3), idOf(1), 'missing-1'])
        expect(ids(await store.claimForExport(5, minute, at(101)))).toEqual([idOf(1), idOf(3)])
        await store.release([])
      })

      it('hands disjoint rows to exporters claiming concurrently', async () => {
        const [a, b] = [await fresh(), await fresh()]
        const total = 300
        await a.insert(series(total))
        const now = at(1_000)
        const claims = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 === 0 ? a : b).claimForExport(7, minute, now),
          ),
        )
        for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(7)
        const claimed = expectDisjoint(claims)
        // Whatever the concurrent claims left (a skipped lock can shorten a claim), the
        // next claims take; nothing is handed out twice and nothing is lost.
        const rest = [
          await a.claimForExport(total, minute, now),
          await b.claimForExport(total, minute, now),
        ]
        const all = expectDisjoint([...claims, ...rest])
        expect(all.length).toBe(total)
        expect(claimed.length).toBeGreaterThan(0)
      })

      it('claims nothing with limit 0 and refuses a limit or lease that is not a count', async () => {
        const store = await fresh()
        await store.insert(series(2))
        expect(await store.claimForExport(0, minute, at(100))).toEqual([])
        await expect(store.claimForExport(-1, minute, at(100))).rejects.toThrow(RangeError)
        await expect(store.claimForExport(1.5, minute, at(100))).rejects.toThrow(RangeError)
        await expect(store.claimForExport(1, -1, at(100))).rejects.toThrow(RangeError)
        await expect(store.claimForExport(1, minute, new Date(NaN))).rejects.toThrow(RangeError)
        expect(ids(await store.claimForExport(2, minute, at(100)))).toEqual([idOf(0), idOf(1)])
      })
    })

    describe('markExported and markRejected', () => {
      it('markExported takes rows out of the backlog and out of every later claim', async () => {
        const store = await fresh()
        await store.insert(series(5))
        await store.claimForExport(5, 1_000, at(100))
        await store.markExported([idOf(0), idOf(2), idOf(4)], at(101))
        expect(await store.stats()).toMatchObject({ total: 5, backlog: 2 })
        expect(ids(await store.claimForExport(5, 1_000, at(200)))).toEqual([idOf(1), idOf(3)])
        const [row] = await store.get([idOf(2)])
        expect(row).toMatchObject({ exportedAt: at(101), exportRejection: null })
        expect(row?.exportedAt).toBeInstanceOf(Date)
      })

      it('markRejected keeps the reason and never offers the row again', async () => {
        const store = await fresh()
        await store.insert(series(4))
        await store.claimForExport(4, 1_000, at(100))
        await store.markRejected(
          [
            { id: idOf(1), reason: 'event too large' },
            { id: idOf(3), reason: 'invalid: ‹feature›' },
          ],
          at(101),
        )
        const rows = await store.get([idOf(1), idOf(3)])
        expect(rows.map(row => row.exportRejection)).toEqual([
          'event too large',
          'invalid: ‹feature›',
        ])
        // exportedAt records when the gateway answered, acknowledged or refused.
        expect(rows.map(row => row.exportedAt)).toEqual([at(101), at(101)])
        expect(ids(await store.claimForExport(4, 1_000, at(200)))).toEqual([idOf(0), idOf(2)])
        await store.release([idOf(0), idOf(2), idOf(1), idOf(3)])
        expect(ids(await store.peekExport(10))).toEqual([idOf(0), idOf(2)])
        expect((await store.stats()).backlog).toBe(2)
      })

      it('keeps the first answer for a row, and ignores unknown ids and empty lists', async () => {
        const store = await fresh()
        await store.insert(series(2))
        await store.markExported([idOf(0)], at(10))
        await store.markExported([idOf(0)], at(20))
        await store.markRejected([{ id: idOf(0), reason: 'late' }], at(30))
        await store.markRejected([{ id: idOf(1), reason: 'too large' }], at(40))
        await store.markExported([idOf(1), 'missing-1'], at(50))
        await store.markRejected([{ id: 'missing-2', reason: 'x' }], at(50))
        await store.markExported([], at(60))
        await store.markRejected([], at(60))
        const [first, second] = await store.get([idOf(0), idOf(1)])
        expect(first).toMatchObject({ exportedAt: at(10), exportRejection: null })
        expect(second).toMatchObject({ exportedAt: at(40), exportRejection: 'too large' })
      })
    })

    describe('peekExport', () => {
      it('shows the rows the next claim takes, without claiming them', async () => {
        const store = await fresh()
        await store.insert(series(5))
        const peeked = await store.peekExport(3)
        expect(ids(peeked)).toEqual([0, 1, 2].map(idOf))
        expect(await store.peekExport(3)).toEqual(peeked)
        expect(await store.claimForExport(3, minute, new Date())).toEqual(peeked)
        expect(await store.peekExport(0)).toEqual([])
      })

      it('pages from an offset in export order', async () => {
        const store = await fresh()
        await store.insert(series(5))
        expect(ids(await store.peekExport(2, 0))).toEqual([0, 1].map(idOf))
        expect(ids(await store.peekExport(2, 2))).toEqual([2, 3].map(idOf))
        expect(ids(await store.peekExport(2, 4))).toEqual([idOf(4)])
        expect(await store.peekExport(2, 5)).toEqual([])
        await expect(store.peekExport(2, -1)).rejects.toThrow(/offset/)
      })

      it('leaves out rows under a live lease and rows already answered', async () => {
        const store = await fresh()
        await store.insert(series(5))
        await store.claimForExport(2, minute, new Date())
        await store.markExported([idOf(2)], new Date())
        await store.markRejected([{ id: idOf(3), reason: 'invalid' }], new Date())
        expect(ids(await store.peekExport(10))).toEqual([idOf(4)])
      })
    })

    describe('prune', () => {
      const keepAll = { exportedBefore: at(0), unexportedBefore: at(0), maxUnexported: 1_000 }

      it('deletes exported and refused rows received before the cutoff, and counts them', async () => {
        const store = await fresh()
        await store.insert(series(6))
        await store.markExported([idOf(0), idOf(1), idOf(4)], at(100))
        await store.markRejected([{ id: idOf(2), reason: 'invalid' }], at(100))
        expect(await store.prune({ ...keepAll, exportedBefore: at(4) })).toEqual({
          exported: 3,
          unexported: 0,
        })
        expect(ids(await store.get(series(6).map(e => e.event.id)))).toEqual([3, 4, 5].map(idOf))
      })

      it('deletes unexported rows received before the cutoff, and counts them', async () => {
        const store = await fresh()
        await store.insert(series(6))
        await store.markExported([idOf(0)], at(100))
        expect(await store.prune({ ...keepAll, unexportedBefore: at(3) })).toEqual({
          exported: 0,
          unexported: 2,
        })
        expect(await store.stats()).toMatchObject({
          total: 4,
          backlog: 3,
          oldestUnexportedAt: at(3),
        })
      })

      it('keeps the newest maxUnexported unexported rows and deletes the oldest beyond', async () => {
        const store = await fresh()
        await store.insert(series(10))
        await store.markExported([idOf(9)], at(100))
        expect(await store.prune({ ...keepAll, maxUnexported: 4 })).toEqual({
          exported: 0,
          unexported: 5,
        })
        expect(ids(await store.get(series(10).map(e => e.event.id)))).toEqual(
          [5, 6, 7, 8, 9].map(idOf),
        )
        expect(await store.prune({ ...keepAll, maxUnexported: 4 })).toEqual({
          exported: 0,
          unexported: 0,
        })
        expect(await store.prune({ ...keepAll, maxUnexported: 0 })).toEqual({
          exported: 0,
          unexported: 4,
        })
      })

      it('applies every rule in one call and counts each', async () => {
        const store = await fresh()
        await store.insert(series(10))
        await store.markExported([idOf(0), idOf(1), idOf(8)], at(100))
        const deleted = await store.prune({
          exportedBefore: at(5),
          unexportedBefore: at(3),
          maxUnexported: 3,
        })
        // Exported: 0 and 1. Unexported: 2 by age, then 3, 4 and 5 beyond the newest three.
        expect(deleted).toEqual({ exported: 2, unexported: 4 })
        expect(ids(await store.get(series(10).map(e => e.event.id)))).toEqual(
          [6, 7, 8, 9].map(idOf),
        )
      })

      it('refuses a policy that is not one', async () => {
        const store = await fresh()
        await expect(store.prune({ ...keepAll, maxUnexported: -1 })).rejects.toThrow(RangeError)
        await expect(store.prune({ ...keepAll, exportedBefore: new Date(NaN) })).rejects.toThrow(
          RangeError,
        )
      })
    })

    describe('stats', () => {
      it('is zero on an empty store', async () => {
        const store = await fresh()
        expect(await store.stats()).toEqual({ total: 0, backlog: 0, oldestUnexportedAt: null })
      })

      it('counts rows and the backlog, and dates the oldest unexported row', async () => {
        const store = await fresh()
        const events = series(6)
        await store.insert([5, 1, 3].map(i => events[i]).filter(event => event !== undefined))
        expect(await store.stats()).toEqual({ total: 3, backlog: 3, oldestUnexportedAt: at(1) })
        await store.markExported([idOf(1)], at(100))
        expect(await store.stats()).toEqual({ total: 3, backlog: 2, oldestUnexportedAt: at(3) })
        await store.claimForExport(10, minute, at(100))
        expect(await store.stats()).toEqual({ total: 3, backlog: 2, oldestUnexportedAt: at(3) })
        await store.markExported([idOf(3)], at(100))
        await store.markRejected([{ id: idOf(5), reason: 'invalid' }], at(100))
        expect(await store.stats()).toEqual({ total: 3, backlog: 0, oldestUnexportedAt: null })
      })
    })

    it('closes idempotently', async () => {
      const store = await fresh()
      await store.close()
      await store.close()
    })
  })
}
