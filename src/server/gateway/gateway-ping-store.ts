import type { Ping } from '../../protocol/ping.js'

/** A ping as the gateway keeps it. */
export interface StoredPing {
  ping: Ping
  /** Gateway clock when it was first stored. */
  receivedAt: Date
}

/** Names an instance's ping of a day. */
export interface PingKey {
  instance: string
  day: string
}

/** The sums over instances of the active users their pings of `day` counted. */
export interface DayActiveUsers {
  day: string
  dau: number
  wau: number
  mau: number
}

/** An instance's active users as its ping of `day` counted them. */
export interface PingActiveUsers extends PingKey, DayActiveUsers {}

/**
 * The pings role of a gateway store: one ping per (instance, day), kept 400 days by default.
 * Days are UTC days as `YYYY-MM-DD`, which sort as text.
 */
export interface GatewayPingStore {
  /**
   * Stores the ping unless one of its (instance, day) is stored already (a resend is one ping;
   * the first stays). Durable when it resolves; resolves true when it was new.
   */
  insertPing(ping: Ping, receivedAt: Date): Promise<boolean>
  /** The instance's pings with `from` ≤ day ≤ `to` (each bound optional), oldest first. */
  pings(instance: string, range?: { from?: string; to?: string }): Promise<StoredPing[]>
  /**
   * For each day from `from` to `to` that has pings, the sums of their dau, wau and mau over the
   * instances, by day: the fleet's chart, summed by the database rather than read ping by ping
   * (a 90-day window at 1,000 instances is 90,000 pings).
   */
  activeUsersByDay(from: string, to: string): Promise<DayActiveUsers[]>
  /**
   * The active users of the pings `keys` name, one row for each key that names a stored ping,
   * in the order of `keys`. Neither reads the pings themselves.
   */
  pingActiveUsers(keys: readonly PingKey[]): Promise<PingActiveUsers[]>
  /** The latest ping of each instance with day ≤ `at`, by instance. */
  latestPings(at: string): Promise<StoredPing[]>
  /** Deletes pings whose day is before `before`; resolves with how many. */
  prunePings(before: string): Promise<number>
}
