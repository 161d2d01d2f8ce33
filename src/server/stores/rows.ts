import type { TelemetryEvent } from '../../protocol/event.js'
import type { RetentionPolicy, StoredRow } from './server-event-store.js'

/*
 * What the SQLite and PostgreSQL stores share: the export-state predicates, the payload
 * encoding, the mapping from a row to a `StoredRow`, the export order and the argument checks.
 * The dialects differ in placeholders and types, so each store keeps its own statements.
 */

/** A UTC day in milliseconds: the rollups count days since the epoch. */
export const dayMs = 86_400_000

/** Days per bitmask block of the `feature_blocks` rollup (block = day / 32): 32 bits. */
export const blockDays = 32

/** The rollups keyed by day, which a prune of the rollups cuts at a day. */
export const dailyRollups = [
  'usage_daily',
  'active_days',
  'events_daily',
  'session_days',
  'flag_daily',
] as const

/** The rollups keyed by 32-day block with a day bitmask, which a prune cuts inside a block. */
export const blockRollups = ['feature_blocks', 'flag_blocks', 'flag_feature_blocks'] as const

/** The UTC day of the `timestamp` column (the corrected timestamp), in PostgreSQL. */
export const POSTGRES_DAY = 'floor(extract(epoch FROM timestamp) / 86400)::integer'

/** A row the gateway has not answered for yet: the export backlog. */
export const UNSETTLED = 'exported_at IS NULL AND export_rejection IS NULL'

/** A row the gateway acknowledged or refused: only retention deletes it. */
export const SETTLED = '(exported_at IS NOT NULL OR export_rejection IS NOT NULL)'

/**
 * The export order, oldest first. Ties (one batch shares a `receivedAt`) break by id rather
 * than by arrival, so that both stores agree and PostgreSQL can insert a batch in id order
 * (see postgres-store.ts).
 */
export const EXPORT_ORDER = 'received_at, id'

/**
 * The full event as stored: JSON, with `timestamp` as an ISO string. privateMetadata holds
 * JSON values only, so the timestamp is the one value JSON does not round-trip by itself.
 */
export function encodePayload({
  id,
  timestamp,
  feature,
  action,
  source,
  sessionId,
  parameters,
}: TelemetryEvent): string {
  // The same text as JSON.stringify(event), the time written here rather than through the
  // Date's toJSON: every event stored is encoded, and this measured a quarter faster.
  return JSON.stringify({
    id,
    timestamp: timestamp.toISOString(),
    feature,
    action,
    source,
    sessionId,
    parameters,
  })
}

type EncodedEvent = Omit<TelemetryEvent, 'timestamp'> & { timestamp: string }

export function decodePayload(payload: string): TelemetryEvent {
  const event = JSON.parse(payload) as EncodedEvent
  return { ...event, timestamp: new Date(event.timestamp) }
}

/** A row as either driver reads it, dates already decoded. */
export interface DecodedRow {
  payload: string
  userId: number
  receivedAt: Date
  correctedTimestamp: Date
  exportedAt: Date | null
  exportRejection: string | null
}

export function toStoredRow(row: DecodedRow): StoredRow {
  return {
    event: decodePayload(row.payload),
    userId: row.userId,
    receivedAt: row.receivedAt,
    correctedTimestamp: row.correctedTimestamp,
    exportedAt: row.exportedAt,
    exportRejection: row.exportRejection,
  }
}

/** Ids in byte order, as SQLite's BINARY and PostgreSQL's "C" collations compare them. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Sorts rows into the export order; `UPDATE … RETURNING` promises no order of its own. */
export function inExportOrder(rows: StoredRow[]): StoredRow[] {
  return rows.sort(
    (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || compareIds(a.event.id, b.event.id),
  )
}

/** The rows found, in the order their ids were asked for, each once. */
export function inRequestedOrder(rows: readonly StoredRow[], ids: readonly string[]): StoredRow[] {
  const byId = new Map(rows.map(row => [row.event.id, row]))
  const found: StoredRow[] = []
  for (const id of new Set(ids)) {
    const row = byId.get(id)
    if (row !== undefined) found.push(row)
  }
  return found
}

/** A count or a limit: a bad one is a caller's bug, so it throws at once. */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`)
  }
}

/** A size or a bound that must be at least 1: a bad one is a caller's bug, so it throws at once. */
export function checkPositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive whole number`)
  }
}

export function checkDate(name: string, value: Date): void {
  if (Number.isNaN(value.getTime())) {
    throw new RangeError(`${name} must be a valid Date`)
  }
}

export function checkRetention(policy: RetentionPolicy): void {
  checkDate('exportedBefore', policy.exportedBefore)
  checkDate('unexportedBefore', policy.unexportedBefore)
  checkCount('maxUnexported', policy.maxUnexported)
}
