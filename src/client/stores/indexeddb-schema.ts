import type { StoredEvent } from './event-store.js'

/**
 * The stored format, version 4 (fixtures in test/client/stores/fixtures/ pin each version):
 * - object store `chunks`: out-of-line autoIncrement keys, which order the queue across tabs;
 *   values `{ v: 3, events }`, `events` a run of `{ event, bytes }` written by one append
 *   (`event` a structured clone of the TelemetryEvent, its Date intact; `bytes` its estimated
 *   size), several runs where an append's estimated bytes pass the store's chunk bound. One
 *   record per append, not per event: Chromium pays for every request, which capped
 *   version 1 at a few thousand events a second. No index: version 2's
 *   unique multiEntry index over every id wrote one index row per event and halved the
 *   append rate; an id is now looked up only where it can be a second copy (the store's
 *   `append`).
 * - object store `meta`, out-of-line keys: `totals` → `{ count, bytes }`, the sums over
 *   `chunks`, kept in the transactions that change them; `claim` → `{ owner, expires }` (epoch
 *   ms), the senders' lease (indexeddb-lease.ts).
 *
 * A new database is made by `createQueue`; `upgradeQueue` (indexeddb-upgrade.ts, in the
 * sender's chunk) migrates older ones.
 *
 * Version 3 was the same but for the totals, two entries `count` and `bytes` in `meta`: one
 * request each to read and to write in every append, a fifth of its time in Chromium.
 * Version 2 had the same chunks (`v: 2`) with an `ids` array under a unique multiEntry index
 * `ids`; they stay until sent or rewritten.
 * Version 1 kept one `{ v: 1, event, bytes }` record per event in `events`, unique index `id`.
 */
export interface Chunk {
  v: 2 | 3
  events: StoredEvent[]
}

/** The sums over `chunks`, under the key `totals` in `meta`. */
export interface Totals {
  count: number
  bytes: number
}

export const queueVersion = 4

/** Makes the object stores of a new database, inside its upgrade transaction. */
export function createQueue(db: IDBDatabase): void {
  db.createObjectStore('chunks', { autoIncrement: true })
  db.createObjectStore('meta')
}
