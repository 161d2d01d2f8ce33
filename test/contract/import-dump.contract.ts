import { afterEach, describe, expect, it } from 'vitest'
import { dumpFromStore } from '../../src/server/commands/dump.js'
import { importIntoStore } from '../../src/server/commands/import.js'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { importLine, plantHistory, type Planted } from './insights-history.js'

const planted = plantHistory()

/**
 * `tally import` and `tally dump` against every store with insights: lines judged like ingest,
 * each id stored once, and a dump that reads back as it went in. `open` and `cleanup` as for
 * `describeStoreContract`.
 */
export function describeImportDumpContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} import and dump contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    const fresh = async () => {
      const store = await open()
      opened.push(store)
      await store.migrate()
      return store
    }

    it('stores each id once, counts the ones already present, and refuses bad lines with their reasons', async () => {
      const store = await fresh()
      const good = planted.slice(0, 3).map(importLine)
      const noUser = JSON.stringify({
        ...JSON.parse(good[0] as string),
        id: 'other-0001',
        userId: undefined,
      })
      const badTime = JSON.stringify({
        ...JSON.parse(good[0] as string),
        id: 'other-0002',
        timestamp: 'yesterday',
      })
      const summary = await importIntoStore(store, [
        ...good,
        good[1] as string,
        '',
        'not json',
        noUser,
        badTime,
      ])
      expect(summary).toEqual({
        stored: 3,
        present: 1,
        refused: 3,
        reasons: [
          'line 6: not JSON',
          'line 7: userId must be a positive whole number',
          'line 8: timestamp must be an ISO 8601 time from 2000 to 2099',
        ],
      })
      const [row] = await store.get([planted[0]?.id as string])
      expect(row?.userId).toBe(planted[0]?.userId)
      expect(row?.correctedTimestamp.getTime()).toBe(planted[0]?.ms)
      expect(row?.event.timestamp.getTime()).toBe(planted[0]?.ms)
    })

    it('keeps each time as the line gives it, whether or not it repeats the timestamp', async () => {
      const store = await fresh()
      const [first, second, third] = planted
        .slice(0, 3)
        .map(event => JSON.parse(importLine(event)) as Record<string, unknown>)
      const iso = (ms: number) => new Date(ms).toISOString()
      const at = Date.parse(first?.timestamp as string)
      const now = new Date('2026-11-30T12:00:00.000Z')
      await importIntoStore(
        store,
        [
          // Corrected and received apart from the timestamp, and from each other.
          { ...first, correctedTimestamp: iso(at + 1_000), receivedAt: iso(at + 2_000) },
          // Both the timestamp's own text.
          { ...second, correctedTimestamp: second?.timestamp, receivedAt: second?.timestamp },
          // Neither: the timestamp, and the import's now.
          { ...third, correctedTimestamp: undefined, receivedAt: undefined },
        ].map(line => JSON.stringify(line)),
        { now: () => now },
      )
      const rows = await store.get([first?.id, second?.id, third?.id] as string[])
      const times = rows.map(row => [
        row.event.timestamp.toISOString(),
        row.correctedTimestamp.toISOString(),
        row.receivedAt.toISOString(),
      ])
      expect(times).toEqual([
        [iso(at), iso(at + 1_000), iso(at + 2_000)],
        [second?.timestamp, second?.timestamp, second?.timestamp],
        [third?.timestamp, third?.timestamp, now.toISOString()],
      ])
    })

    it('scrubs privateMetadata like ingest and ignores unknown fields', async () => {
      const store = await fresh()
      const line = JSON.parse(importLine(planted[0] as (typeof planted)[number])) as Record<
        string,
        unknown
      >
      const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'
      await importIntoStore(store, [
        JSON.stringify({
          ...line,
          extra: 'ignored',
          parameters: { version: 1, privateMetadata: { token: secret } },
        }),
      ])
      const [row] = await store.get([line.id as string])
      expect(JSON.stringify(row?.event)).not.toContain(secret)
      expect(row?.event).not.toHaveProperty('extra')
    })

    it('keeps the export state a dump carries, refuses a malformed one, and dumps it again', async () => {
      const store = await fresh()
      const [waiting, exported, refused] = planted.slice(0, 3).map(importLine)
      const withState = (line: string | undefined, state: Record<string, unknown>) =>
        JSON.stringify({ ...(JSON.parse(line as string) as object), ...state })
      const exportedAt = '2026-11-30T08:00:00.000Z'
      const reason = 'feature not on the allowlist'
      const bad = (n: number, state: Record<string, unknown>) =>
        withState(waiting, { id: `other-${n}0000`, ...state })
      const summary = await importIntoStore(store, [
        withState(waiting, { exportedAt: null }),
        withState(exported, { exportedAt }),
        withState(refused, { exportedAt, exportRejection: reason }),
        bad(1, { exportRejection: reason }),
        bad(2, { exportedAt: 'last week' }),
        bad(3, { exportedAt, exportRejection: 'x'.repeat(501) }),
      ])
      expect(summary).toEqual({
        stored: 3,
        present: 0,
        refused: 3,
        reasons: [
          'line 4: exportRejection needs exportedAt',
          'line 5: exportedAt must be an ISO 8601 time from 2000 to 2099',
          'line 6: exportRejection must be a string of at most 500 characters',
        ],
      })
      const idsOf = (lines: (string | undefined)[]) =>
        lines.map(line => (JSON.parse(line as string) as { id: string }).id)
      expect(await store.stats()).toMatchObject({ total: 3, backlog: 1 })
      const claimed = await store.claimForExport(10, 60_000, new Date(Date.UTC(2026, 11, 1)))
      expect(claimed.map(row => row.event.id)).toEqual(idsOf([waiting]))

      const chunks: string[] = []
      await dumpFromStore(store, chunk => void chunks.push(chunk))
      const dumped = new Map(
        chunks
          .join('')
          .trimEnd()
          .split('\n')
          .map(line => JSON.parse(line) as Record<string, unknown>)
          .map(line => [line.id, line]),
      )
      const [waitingId, exportedId, refusedId] = idsOf([waiting, exported, refused])
      expect(dumped.get(waitingId)).not.toHaveProperty('exportedAt')
      expect(dumped.get(waitingId)).not.toHaveProperty('exportRejection')
      expect(dumped.get(exportedId)).toMatchObject({ exportedAt })
      expect(dumped.get(exportedId)).not.toHaveProperty('exportRejection')
      expect(dumped.get(refusedId)).toMatchObject({ exportedAt, exportRejection: reason })
    })

    it('dumps every event once, in time order, as lines that import back to the same rows', async () => {
      const store = await fresh()
      await importIntoStore(store, planted.map(importLine))
      const chunks: string[] = []
      const written = await dumpFromStore(store, chunk => void chunks.push(chunk), {
        maxPageRows: 64,
      })
      const lines = chunks.join('').trimEnd().split('\n')
      expect(written).toBe(planted.length)
      const byId = new Map(planted.map(event => [event.id, event]))
      const dumped = lines.map(line => JSON.parse(line) as Record<string, unknown>)
      const inTimeOrder = [...planted]
        .sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : 1))
        .map(event => event.id)
      expect(dumped.map(line => line.id)).toEqual(inTimeOrder)
      for (const line of dumped) {
        const event = byId.get(line.id as string)
        expect(line).toMatchObject(JSON.parse(importLine(event as Planted)) as object)
        expect(line.correctedTimestamp).toBe(line.timestamp)
        expect(typeof line.receivedAt).toBe('string')
      }
      expect(await importIntoStore(store, lines)).toEqual({
        stored: 0,
        present: planted.length,
        refused: 0,
        reasons: [],
      })
    })

    it('pages through events that share a timestamp by their ids, none skipped or repeated', async () => {
      const store = await fresh()
      const [model] = planted
      const line = JSON.parse(importLine(model as Planted)) as Record<string, unknown>
      const at = Date.parse(line.timestamp as string)
      // Five at one instant, ids given out of order, between an earlier and a later event.
      const events = [
        ['tied-ev-c', at],
        ['tied-ev-a', at],
        ['later-ev-1', at + 1],
        ['tied-ev-e', at],
        ['earlier-ev-9', at - 1],
        ['tied-ev-b', at],
        ['tied-ev-d', at],
      ] as const
      const summary = await importIntoStore(
        store,
        events.map(([id, ms]) => {
          const time = new Date(ms).toISOString()
          return JSON.stringify({ ...line, id, timestamp: time, correctedTimestamp: time })
        }),
      )
      expect(summary.stored).toBe(events.length)
      const chunks: string[] = []
      await dumpFromStore(store, chunk => void chunks.push(chunk), { maxPageRows: 2 })
      const ids = chunks.flatMap(chunk =>
        chunk
          .trimEnd()
          .split('\n')
          .map(text => (JSON.parse(text) as { id: string }).id),
      )
      expect(ids).toEqual([
        'earlier-ev-9',
        'tied-ev-a',
        'tied-ev-b',
        'tied-ev-c',
        'tied-ev-d',
        'tied-ev-e',
        'later-ev-1',
      ])
      expect(chunks).toHaveLength(4)
    })
  })
}
