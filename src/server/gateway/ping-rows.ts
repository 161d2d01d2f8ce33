import type { Ping } from '../../protocol/ping.js'
import type { DayActiveUsers, PingActiveUsers, StoredPing } from './gateway-ping-store.js'

/*
 * What the SQLite and PostgreSQL catalogs share about pings: a ping is kept whole as JSON text,
 * beside its instance and day, which the indexes order by, and a copy of its dau, wau and mau,
 * which the fleet page reads without the pings: parsing the whole pings of 31 days took the page
 * most of a second at 1,000 instances, and reading even their counts alone a row each took a
 * fifth of one for 90 days, against a hundredth for the database's sums.
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

export interface DayActiveUsersRow {
  day: string
  // SQLite's total() is a float; PostgreSQL's BIGINT, and its sum() (a NUMERIC), arrive as
  // text: a ping's counts are any safe integer.
  dau: number | string
  wau: number | string
  mau: number | string
}

export interface ActiveUsersRow extends DayActiveUsersRow {
  instance: string
}

export function toDayActiveUsers(row: DayActiveUsersRow): DayActiveUsers {
  return { day: row.day, dau: Number(row.dau), wau: Number(row.wau), mau: Number(row.mau) }
}

export function toActiveUsers(row: ActiveUsersRow): PingActiveUsers {
  return { instance: row.instance, ...toDayActiveUsers(row) }
}
