// The demo's generated history, loaded into an empty store so that a newcomer's first look at
// the usage page shows something. Here, above server/ and demo/, because it joins the demo's
// generator to the server's import.
import {
  demoClient,
  demoEventId,
  demoLastEventId,
  generateDemoHistory,
  type DemoRecord,
} from '../demo/demo-history.js'
import type { ServerEventStore } from '../server.js'
import { importIntoStore } from '../server/commands/import.js'

export interface LoadDemoDataOptions {
  /** @default () => new Date() */
  now?: () => Date
  /** @default 1 */
  seed?: number
  /** @default 300 */
  users?: number
  /** @default 90 */
  days?: number
  /** Events stored per transaction. @default 1000 */
  maxBatchEvents?: number
  /** Stops between batches (the server is closing); what is stored stays, a restart completes it. */
  signal?: AbortSignal
}

/**
 * - `loaded`: the store was empty (or held a load cut short), and now holds the history.
 * - `present`: the store holds a history loaded before.
 * - `skipped`: the store holds other events: demo data never mixes with real usage.
 */
export type DemoDataResult =
  | { status: 'loaded'; stored: number; users: number }
  | { status: 'present'; users: number }
  | { status: 'skipped' }

/** The line the admin pages show while demo data is stored. */
export function demoDataNotice(users: number): string {
  return `Demo data: generated activity of ${users} users (client ${demoClient}). Not real usage.`
}

/**
 * Loads the generated history into `store` when it holds no events, once: a store holding the
 * history's newest event holds all of it (batches go oldest first), and a load cut short
 * (its oldest event stored, not its newest) is completed without duplicates, the ids following
 * from the seed. Every row is marked exported as it is stored, so that generated activity never
 * reaches the gateway as if it were real.
 */
export async function loadDemoData(
  store: ServerEventStore,
  options: LoadDemoDataOptions = {},
): Promise<DemoDataResult> {
  const seed = options.seed ?? 1
  const users = options.users ?? 300
  const maxBatchEvents = options.maxBatchEvents ?? 1000
  const now = options.now ?? (() => new Date())
  const found = await store.get([demoEventId(seed, 0), demoLastEventId(seed)])
  if (found.some(row => row.event.id === demoLastEventId(seed))) {
    return { status: 'present', users }
  }
  if (found.length === 0 && (await store.stats()).total > 0) return { status: 'skipped' }

  const history = generateDemoHistory({
    now: now(),
    seed,
    users,
    ...(options.days === undefined ? {} : { days: options.days }),
  })
  const userIds = new Map<string, number>()
  for (const { subject } of history) {
    if (!userIds.has(subject)) userIds.set(subject, await store.userId(subject))
  }
  let stored = 0
  for (let start = 0; start < history.length; start += maxBatchEvents) {
    if (options.signal?.aborted) break
    const batch = history.slice(start, start + maxBatchEvents)
    // Through the import, so that the history is validated and scrubbed as any import is.
    const lines = toLines(batch, userIds, now())
    const summary = await importIntoStore(store, lines, { maxBatchEvents })
    if (summary.refused > 0) {
      throw new Error(`demo data refused by validation: ${summary.reasons.join('; ')}`)
    }
    await store.markExported(
      batch.map(record => record.event.id),
      now(),
    )
    stored += summary.stored
  }
  return { status: 'loaded', stored, users: userIds.size }
}

/** The records as `tally import` reads them; received a moment after they were recorded. */
function toLines(
  records: readonly DemoRecord[],
  userIds: ReadonlyMap<string, number>,
  now: Date,
): string[] {
  return records.map(({ subject, event }) => {
    const timestamp = event.timestamp.toISOString()
    const receivedMs = Math.min(event.timestamp.getTime() + 2_000, now.getTime())
    const receivedAt = new Date(receivedMs).toISOString()
    return JSON.stringify({ ...event, timestamp, receivedAt, userId: userIds.get(subject) })
  })
}
