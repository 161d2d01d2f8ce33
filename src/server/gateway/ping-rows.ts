import type { Ping } from '../../protocol/ping.js'
import type { StoredPing } from './gateway-ping-store.js'

/*
 * What the SQLite and PostgreSQL catalogs share about pings: a ping is kept whole as JSON text
 * (it is only ever read whole), beside its instance and day, which the indexes order by.
 */

/** The greatest day text: `day <= '9999-12-31'` bounds nothing. */
export const lastDay = '9999-12-31'

export interface PingRow {
  ping: string
  receivedAt: number | string | Date
}

export function toStoredPing(row: PingRow): StoredPing {
  return { ping: JSON.parse(row.ping) as Ping, receivedAt: new Date(row.receivedAt) }
}
