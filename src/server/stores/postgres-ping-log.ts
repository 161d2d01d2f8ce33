import type { Pool } from 'pg'
import { checkCount, checkDate } from './rows.js'
import type { PingLogStore, PingRecord, PingStatus } from './roles/ping-log-store.js'

interface PostgresPingRow {
  day: number
  status: PingStatus
  body: string
  reason: string | null
  settledAt: Date
}

/** The ping log over the PostgreSQL store's pool; each method is one statement. */
export function postgresPingLog(pool: Pool): PingLogStore {
  return {
    async recordPing({ day, status, body, reason, settledAt }: PingRecord) {
      checkCount('day', day)
      checkDate('settledAt', settledAt)
      await pool.query(
        `INSERT INTO ping_log (day, status, body, reason, settled_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day) DO NOTHING`,
        [day, status, body, reason, settledAt],
      )
    },
    async recordedPingDays(from) {
      const { rows } = await pool.query<{ day: number }>(
        'SELECT day FROM ping_log WHERE day >= $1 ORDER BY day',
        [from],
      )
      return rows.map(row => row.day)
    },
    async pingLog(limit) {
      checkCount('limit', limit)
      const { rows } = await pool.query<PostgresPingRow>(
        `SELECT day, status, body, reason, settled_at AS "settledAt" FROM ping_log
         ORDER BY day DESC LIMIT $1`,
        [limit],
      )
      return rows
    },
    async prunePingLog(before) {
      return (await pool.query('DELETE FROM ping_log WHERE day < $1', [before])).rowCount ?? 0
    },
  }
}
