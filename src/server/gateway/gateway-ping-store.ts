import type { Ping } from '../../protocol/ping.js'

/** A ping as the gateway keeps it. */
export interface StoredPing {
  ping: Ping
  /** Gateway clock when it was first stored. */
  receivedAt: Date
}

/** An instance's active users as its ping of `day` counted them: what the fleet's charts draw. */
export interface PingActiveUsers {
  instance: string
  day: string
  dau: number
  wau: number
  mau: number
}

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
   * The active users of every instance's pings with `from` ≤ day ≤ `to`, by day then instance
   * (the fleet page's charts), read without the pings themselves.
   */
  activeUsersBetween(from: string, to: string): Promise<PingActiveUsers[]>
  /** The latest ping of each instance with day ≤ `at`, by instance. */
  latestPings(at: string): Promise<StoredPing[]>
  /** Deletes pings whose day is before `before`; resolves with how many. */
  prunePings(before: string): Promise<number>
}
