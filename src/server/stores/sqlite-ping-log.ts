import type { Statement } from 'better-sqlite3'
import { checkCount, checkDate } from './rows.js'
import type { PingLogStore, PingRecord, PingStatus } from './roles/ping-log-store.js'

interface SqlitePingRow {
  day: number
  status: PingStatus
  body: string
  reason: string | null
  settledAt: number
}

/** The ping log over a SQLite connection's prepared statements (see sqlite-store.ts). */
export function sqlitePingLog(sql: (source: string) => Statement): PingLogStore {
  return {
    async recordPing({ day, status, body, reason, settledAt }: PingRecord) {
      checkCount('day', day)
      checkDate('settledAt', settledAt)
      sql(
        `INSERT INTO ping_log (day, status, body, reason, settled_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (day) DO NOTHING`,
      ).run(day, status, body, reason, settledAt.getTime())
    },
    async recordedPingDays(from) {
      return sql('SELECT day FROM ping_log WHERE day >= ? ORDER BY day')
        .pluck()
        .all(from) as number[]
    },
    async pingLog(limit) {
      checkCount('limit', limit)
      const rows = sql(
        `SELECT day, status, body, reason, settled_at AS settledAt FROM ping_log
         ORDER BY day DESC LIMIT ?`,
      ).all(limit) as SqlitePingRow[]
      return rows.map(row => ({ ...row, settledAt: new Date(row.settledAt) }))
    },
    async prunePingLog(before) {
      return sql('DELETE FROM ping_log WHERE day < ?').run(before).changes
    },
  }
}
