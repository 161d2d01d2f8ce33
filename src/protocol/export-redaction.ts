import type { ExportMode } from './config.js'
import {
  namePattern,
  type JsonValue,
  type TelemetryEvent,
  type TelemetryEventParameters,
  type TelemetryEventSource,
} from './event.js'
import { hasUnsafeParts, renderRedacted } from './redactable.js'

/** An event as it leaves the instance for the gateway. */
export interface ExportedEvent {
  id: string
  /** The client's timestamp corrected by the skew its batch revealed. */
  timestamp: Date
  /** The client's own clock at record time, kept beside the corrected one. */
  clientTimestamp: Date
  feature: string
  action: string
  source: TelemetryEventSource
  sessionId: string
  parameters: TelemetryEventParameters
  /** Numeric per-instance user id. */
  userId: number
  /** Instance clock at receipt. */
  receivedAt: Date
}

/** A stored event, as far as redaction needs it. */
export interface ExportableRow {
  event: TelemetryEvent
  userId: number
  receivedAt: Date
  correctedTimestamp: Date
}

/**
 * Why redaction took something out:
 * - `not-allowlisted`: a privateMetadata key off the allowlist; its whole value stays home.
 * - `unsafe-string`: an allowlisted string left with its unsafe parts as ‹×›.
 * - `unsafe-key`: a key within an allowlisted value left with its unsafe parts as ‹×›.
 * - `key-collision`: a key that renders like an earlier one once redacted (‹a› and ‹b› both
 *   become ‹×›); the first leaves, this one and its value stay home.
 */
export type RemovalKind = 'not-allowlisted' | 'unsafe-string' | 'unsafe-key' | 'key-collision'

/** One thing redaction took out of an event. */
export interface Removal {
  /**
   * The keys from the stored event to what was taken out, as stored (array indexes as
   * strings): `['parameters', 'privateMetadata', 'query']`. For `unsafe-key` and
   * `key-collision`, the last key is the original key itself.
   */
  path: string[]
  kind: RemovalKind
}

export interface RedactedExport {
  exported: ExportedEvent
  /** What redaction took out, in the order of the event's keys. */
  removed: Removal[]
}

/**
 * The privateMetadata keys that may leave in `redact` mode, per feature and action: built by
 * {@link parseAllowlist} from `feature::action::key` triples.
 */
export interface Allowlist {
  /** `feature::action` → allowed keys. Names cannot hold `:`, so the pair key is unambiguous. */
  readonly keys: ReadonlyMap<string, ReadonlySet<string>>
}

export const emptyAllowlist: Allowlist = { keys: new Map() }

const separator = '::'

/**
 * Reads `feature::action::key` triples (surrounding spaces ignored; the key is everything after
 * the second `::`). Throws an Error naming the first malformed entry: an allowlist is operator
 * configuration, and a typo that silently allowed nothing, or the wrong thing, would be worse.
 */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const keys = new Map<string, Set<string>>()
  for (const raw of entries) {
    const entry = raw.trim()
    const first = entry.indexOf(separator)
    const second = first < 0 ? -1 : entry.indexOf(separator, first + separator.length)
    if (second < 0) {
      throw new Error(
        `Invalid allowlist entry ${JSON.stringify(raw)}: expected feature::action::key`,
      )
    }
    const feature = entry.slice(0, first)
    const action = entry.slice(first + separator.length, second)
    const key = entry.slice(second + separator.length)
    for (const [part, value] of [
      ['feature', feature],
      ['action', action],
    ] as const) {
      if (!namePattern.test(value)) {
        throw new Error(
          `Invalid allowlist entry ${JSON.stringify(raw)}: the ${part} ${JSON.stringify(value)} ` +
            `must start with a-z and use only letters, digits, . and -`,
        )
      }
    }
    if (key.length === 0 || key.trim() !== key) {
      throw new Error(
        `Invalid allowlist entry ${JSON.stringify(raw)}: the key must be non-empty, without surrounding spaces`,
      )
    }
    const pair = `${feature}${separator}${action}`
    let set = keys.get(pair)
    if (!set) keys.set(pair, (set = new Set()))
    set.add(key)
  }
  return { keys }
}

/**
 * The copy of a stored event that leaves the instance under `mode`, with the list of what was
 * taken out; undefined in `off` mode, where nothing leaves. Pure: the row is not touched.
 *
 * - `full`: the event as stored (it was scrubbed at ingest).
 * - `redact`: everything but privateMetadata leaves (all of it is names, ids and numbers that
 *   validation pinned to patterns); privateMetadata keeps only the allowlisted keys for the
 *   event's feature and action, and within those every string and key renders its unsafe parts
 *   as ‹×›.
 */
export function redactForExport(
  row: ExportableRow,
  mode: ExportMode,
  allowlist: Allowlist,
): RedactedExport | undefined {
  if (mode === 'off') return undefined
  const { event } = row
  const removed: Removal[] = []
  const { privateMetadata } = event.parameters
  let kept: Record<string, JsonValue> | undefined
  if (privateMetadata !== undefined) {
    kept =
      mode === 'full'
        ? (copyJson(privateMetadata) as Record<string, JsonValue>)
        : redactPrivateMetadata(
            privateMetadata,
            allowlist.keys.get(`${event.feature}${separator}${event.action}`),
            removed,
          )
  }
  return { exported: exportedEvent(row, kept), removed }
}

function exportedEvent(
  row: ExportableRow,
  privateMetadata: Record<string, JsonValue> | undefined,
): ExportedEvent {
  const { event } = row
  const { version, metadata, billingMetadata, interactionId } = event.parameters
  const parameters: TelemetryEventParameters = { version }
  if (metadata !== undefined) parameters.metadata = { ...metadata }
  if (privateMetadata !== undefined) parameters.privateMetadata = privateMetadata
  if (billingMetadata !== undefined) parameters.billingMetadata = { ...billingMetadata }
  if (interactionId !== undefined) parameters.interactionId = interactionId
  return {
    id: event.id,
    timestamp: new Date(row.correctedTimestamp.getTime()),
    clientTimestamp: new Date(event.timestamp.getTime()),
    feature: event.feature,
    action: event.action,
    source: { ...event.source },
    sessionId: event.sessionId,
    parameters,
    userId: row.userId,
    receivedAt: new Date(row.receivedAt.getTime()),
  }
}

function redactPrivateMetadata(
  privateMetadata: Record<string, JsonValue>,
  allowed: ReadonlySet<string> | undefined,
  removed: Removal[],
): Record<string, JsonValue> | undefined {
  const kept: Record<string, JsonValue> = {}
  let any = false
  for (const key of Object.keys(privateMetadata)) {
    const value = privateMetadata[key]
    if (value === undefined) continue
    const path = ['parameters', 'privateMetadata', key]
    if (allowed?.has(key) !== true) {
      removed.push({ path, kind: 'not-allowlisted' })
      continue
    }
    // Object.defineProperty, not assignment: a key like `__proto__` stays an own property.
    define(kept, key, redactJson(value, path, removed))
    any = true
  }
  return any ? kept : undefined
}

/**
 * Copies a JSON value with the unsafe parts of every string and key rendered as ‹×›. Recursion
 * is bounded: stored privateMetadata passed validation's depth limit.
 */
function redactJson(value: JsonValue, path: string[], removed: Removal[]): JsonValue {
  if (typeof value === 'string') {
    if (!hasUnsafeParts(value)) return value
    removed.push({ path, kind: 'unsafe-string' })
    return renderRedacted(value)
  }
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value))
    return value.map((item, index) => redactJson(item, [...path, String(index)], removed))
  const copy: Record<string, JsonValue> = {}
  for (const original of Object.keys(value)) {
    const item = value[original]
    if (item === undefined) continue
    const itemPath = [...path, original]
    const unsafeKey = hasUnsafeParts(original)
    const key = unsafeKey ? renderRedacted(original) : original
    // Two keys can render alike (‹a› and ‹b› both become ‹×›): the first stays, and the
    // others are reported as removed, whole, rather than silently overwriting it.
    if (Object.prototype.hasOwnProperty.call(copy, key)) {
      removed.push({ path: itemPath, kind: 'key-collision' })
      continue
    }
    if (unsafeKey) removed.push({ path: itemPath, kind: 'unsafe-key' })
    define(copy, key, redactJson(item, itemPath, removed))
  }
  return copy
}

function copyJson(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copyJson)
  const copy: Record<string, JsonValue> = {}
  for (const key of Object.keys(value)) {
    const item = value[key]
    if (item !== undefined) define(copy, key, copyJson(item))
  }
  return copy
}

function define(target: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}
