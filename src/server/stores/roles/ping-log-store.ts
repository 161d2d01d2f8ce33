/** What the gateway made of a day's ping: acknowledged, or refused (never sent again either way). */
export type PingStatus = 'sent' | 'refused'

/** A day whose ping the gateway answered, as the instance keeps it. */
export interface PingRecord {
  /** The UTC day the ping summarized, in days since the epoch (as the rollups count days). */
  day: number
  status: PingStatus
  /** The ping's JSON exactly as it left. */
  body: string
  /** The gateway's reason, for a refused ping. */
  reason: string | null
  /** Instance clock when the answer came. */
  settledAt: Date
}

/**
 * Which days' pings the gateway answered: the daily ping worker sends only the days not
 * recorded here, so a day acknowledged is never sent again, and one missed (the instance was
 * down, the gateway unreachable) goes at the next run. One row a day.
 */
export interface PingLogStore {
  /** Records a day's answer; a day already recorded keeps its first record. */
  recordPing(record: PingRecord): Promise<void>
  /** The recorded days from `from` on (days since the epoch), ascending. */
  recordedPingDays(from: number): Promise<number[]>
  /** The `limit` latest records, newest day first (the admin page). */
  pingLog(limit: number): Promise<PingRecord[]>
  /** Deletes the records of days before `before`; resolves with how many. */
  prunePingLog(before: number): Promise<number>
}
