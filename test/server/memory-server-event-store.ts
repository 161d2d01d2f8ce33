import { checkCount, checkDate, checkRetention, compareIds } from '../../src/server/stores/rows.js'
import type {
  IngestedEvent,
  PingRecord,
  ServerEventStore,
  StoredRow,
} from '../../src/server/stores/server-event-store.js'

interface Entry {
  row: StoredRow
  claimedUntil: number | null
}

/**
 * What memory stores share, as connections share one database: stores made on the same
 * `MemoryDatabase` see each other's rows, users and leases (the contract suite opens several).
 */
export interface MemoryDatabase {
  entries: Map<string, Entry>
  users: Map<string, number>
  pings: Map<number, PingRecord>
}

export function createMemoryDatabase(): MemoryDatabase {
  return { entries: new Map(), users: new Map(), pings: new Map() }
}

/** What the fake counts, so that tests can see how the worker used the store. */
export interface MemoryStoreCalls {
  claims: number
  released: string[]
}

/**
 * A `ServerEventStore` in memory for the handler and export tests. It runs through the same
 * contract suite as SQLite and PostgreSQL (test/contract/memory.test.ts): one row per id,
 * oldest first by (receivedAt, id), leases that other claims skip until they run out, and
 * retention by receipt time. `clock` stands in for the wall clock of `peekExport`.
 */
export function createMemoryServerEventStore(
  clock: () => number = Date.now,
  database: MemoryDatabase = createMemoryDatabase(),
): ServerEventStore & { calls: MemoryStoreCalls; rows(): StoredRow[] } {
  const { entries, users, pings } = database
  const calls: MemoryStoreCalls = { claims: 0, released: [] }
  const unsettled = (entry: Entry) =>
    entry.row.exportedAt === null && entry.row.exportRejection === null
  const claimable = (entry: Entry, now: number) =>
    unsettled(entry) && (entry.claimedUntil === null || entry.claimedUntil <= now)
  const inOrder = () =>
    [...entries.values()].sort(
      (a, b) =>
        a.row.receivedAt.getTime() - b.row.receivedAt.getTime() ||
        compareIds(a.row.event.id, b.row.event.id),
    )
  const copy = (row: StoredRow): StoredRow => structuredClone(row)

  return {
    kind: 'memory',
    calls,
    rows: () => inOrder().map(entry => copy(entry.row)),
    async migrate() {},
    async userId(subject) {
      let id = users.get(subject)
      if (id === undefined) users.set(subject, (id = users.size + 1))
      return id
    },
    async insert(events: readonly IngestedEvent[]) {
      let added = 0
      for (const event of events) {
        if (entries.has(event.event.id)) continue
        entries.set(event.event.id, {
          row: {
            ...structuredClone(event),
            exportedAt: event.exportedAt ?? null,
            exportRejection: event.exportRejection ?? null,
          },
          claimedUntil: null,
        })
        added++
      }
      return added
    },
    async get(ids) {
      return [...new Set(ids)].flatMap(id => {
        const entry = entries.get(id)
        return entry ? [copy(entry.row)] : []
      })
    },
    async claimForExport(limit, leaseMs, now) {
      checkCount('limit', limit)
      checkCount('leaseMs', leaseMs)
      checkDate('now', now)
      calls.claims++
      const taken = inOrder()
        .filter(entry => claimable(entry, now.getTime()))
        .slice(0, limit)
      for (const entry of taken) entry.claimedUntil = now.getTime() + leaseMs
      return taken.map(entry => copy(entry.row))
    },
    async peekExport(limit, offset = 0) {
      checkCount('limit', limit)
      checkCount('offset', offset)
      return inOrder()
        .filter(entry => claimable(entry, clock()))
        .slice(offset, offset + limit)
        .map(entry => copy(entry.row))
    },
    async markExported(ids, now) {
      checkDate('now', now)
      for (const id of ids) {
        const entry = entries.get(id)
        if (!entry || !unsettled(entry)) continue
        entry.row.exportedAt = new Date(now.getTime())
        entry.claimedUntil = null
      }
    },
    async markRejected(rejections, now) {
      checkDate('now', now)
      for (const { id, reason } of rejections) {
        const entry = entries.get(id)
        if (!entry || !unsettled(entry)) continue
        entry.row.exportedAt = new Date(now.getTime())
        entry.row.exportRejection = reason
        entry.claimedUntil = null
      }
    },
    async release(ids) {
      calls.released.push(...ids)
      for (const id of ids) {
        const entry = entries.get(id)
        if (entry && unsettled(entry)) entry.claimedUntil = null
      }
    },
    async prune(policy) {
      checkRetention(policy)
      let exported = 0
      let unexported = 0
      for (const entry of inOrder()) {
        const received = entry.row.receivedAt.getTime()
        if (!unsettled(entry) && received < policy.exportedBefore.getTime()) {
          entries.delete(entry.row.event.id)
          exported++
        } else if (unsettled(entry) && received < policy.unexportedBefore.getTime()) {
          entries.delete(entry.row.event.id)
          unexported++
        }
      }
      const backlog = inOrder().filter(unsettled)
      for (const entry of backlog.slice(0, Math.max(0, backlog.length - policy.maxUnexported))) {
        entries.delete(entry.row.event.id)
        unexported++
      }
      return { exported, unexported }
    },
    async stats() {
      const backlog = inOrder().filter(unsettled)
      return {
        total: entries.size,
        backlog: backlog.length,
        oldestUnexportedAt: backlog[0] ? new Date(backlog[0].row.receivedAt.getTime()) : null,
      }
    },
    async recordPing(record) {
      checkCount('day', record.day)
      checkDate('settledAt', record.settledAt)
      if (!pings.has(record.day)) pings.set(record.day, structuredClone(record))
    },
    async recordedPingDays(from) {
      return [...pings.keys()].filter(day => day >= from).sort((a, b) => a - b)
    },
    async pingLog(limit) {
      checkCount('limit', limit)
      return [...pings.values()]
        .sort((a, b) => b.day - a.day)
        .slice(0, limit)
        .map(record => structuredClone(record))
    },
    async prunePingLog(before) {
      let deleted = 0
      for (const day of [...pings.keys()]) {
        if (day < before) deleted += Number(pings.delete(day))
      }
      return deleted
    },
    async close() {},
  }
}
