import type {
  ExportStats,
  IngestedEvent,
  RetentionPolicy,
  ServerEventStore,
  StoredRow,
} from '../../../src/server/stores/server-event-store.js'

/** A ServerEventStore in memory, for handler tests that are not about storage. */
export function createMemoryServerStore(): ServerEventStore & {
  rows: Map<string, StoredRow>
  failNext: boolean
} {
  const rows = new Map<string, StoredRow>()
  const users = new Map<string, number>()
  const claims = new Map<string, number>()
  const unexported = () =>
    [...rows.values()].filter(row => row.exportedAt === null && row.exportRejection === null)
  const store = {
    kind: 'sqlite' as const,
    rows,
    failNext: false,
    async migrate() {},
    async userId(subject: string) {
      if (!users.has(subject)) users.set(subject, users.size + 1)
      return users.get(subject) as number
    },
    async insert(events: readonly IngestedEvent[]) {
      if (store.failNext) {
        store.failNext = false
        throw new Error('store down')
      }
      let inserted = 0
      for (const entry of events) {
        if (rows.has(entry.event.id)) continue
        rows.set(entry.event.id, { ...entry, exportedAt: null, exportRejection: null })
        inserted++
      }
      return inserted
    },
    async get(ids: readonly string[]) {
      return ids.flatMap(id => rows.get(id) ?? [])
    },
    async claimForExport(limit: number, leaseMs: number, now: Date) {
      const free = unexported().filter(row => (claims.get(row.event.id) ?? 0) <= now.getTime())
      const taken = free.slice(0, limit)
      for (const row of taken) claims.set(row.event.id, now.getTime() + leaseMs)
      return taken
    },
    async peekExport(limit: number) {
      return unexported().slice(0, limit)
    },
    async markExported(ids: readonly string[], now: Date) {
      for (const id of ids) {
        const row = rows.get(id)
        if (row) row.exportedAt = now
      }
    },
    async markRejected(rejections: readonly { id: string; reason: string }[]) {
      for (const { id, reason } of rejections) {
        const row = rows.get(id)
        if (row) row.exportRejection = reason
      }
    },
    async release(ids: readonly string[]) {
      for (const id of ids) claims.delete(id)
    },
    async prune(_policy: RetentionPolicy) {
      return { exported: 0, unexported: 0 }
    },
    async stats(): Promise<ExportStats> {
      const backlog = unexported()
      return {
        total: rows.size,
        backlog: backlog.length,
        oldestUnexportedAt: backlog[0]?.receivedAt ?? null,
      }
    },
    async close() {},
  }
  return store
}
