import { expect } from 'vitest'
import type { JsonValue, TelemetryEvent } from '../../src/protocol/event.js'
import type {
  IngestedEvent,
  ServerEventStore,
  StoredRow,
} from '../../src/server/stores/server-event-store.js'

/**
 * How a role's suite gets stores on the current test's database: `openStore` opens one not
 * yet migrated, `fresh` a migrated one (each call a new connection or pool on the same
 * database). The suite closes them and removes the database after each test.
 */
export interface ContractStores {
  openStore: () => Promise<ServerEventStore>
  fresh: () => Promise<ServerEventStore>
}

export const t0 = Date.UTC(2026, 10, 27, 12)
/** A fixed instant `seconds` after t0: claims take their clock as an argument. */
export const at = (seconds: number) => new Date(t0 + seconds * 1000)
export const minute = 60_000

interface EventOptions {
  receivedAt?: Date
  userId?: number
  privateMetadata?: Record<string, JsonValue>
}

export function ingested(id: string, options: EventOptions = {}): IngestedEvent {
  const receivedAt = options.receivedAt ?? at(0)
  const event: TelemetryEvent = {
    id,
    timestamp: new Date(receivedAt.getTime() - 5_000),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: '6.1.0' },
    sessionId: 'session-0001',
    parameters: {
      version: 1,
      metadata: { resultCount: 37 },
      ...(options.privateMetadata === undefined
        ? {}
        : { privateMetadata: options.privateMetadata }),
    },
  }
  return {
    event,
    userId: options.userId ?? 1,
    receivedAt,
    correctedTimestamp: new Date(receivedAt.getTime() - 4_000),
  }
}

export const idOf = (n: number) => `event-${String(n).padStart(5, '0')}`

/** Events `from`…`from + count - 1`, each received one second after the one before. */
export const series = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ingested(idOf(from + i), { receivedAt: at(from + i) }))

export const ids = (rows: readonly { event: TelemetryEvent }[]) => rows.map(row => row.event.id)

/** Checks that no id was handed out twice, and returns every id handed out. */
export const expectDisjoint = (claims: readonly StoredRow[][]) => {
  const all = claims.flatMap(ids)
  expect(new Set(all).size).toBe(all.length)
  return all
}
