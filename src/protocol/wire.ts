import type { EventBatch } from './event.js'
import { isPlainObject } from './plain-data.js'
import { unwrapSuperjson } from './wire-superjson.js'

/** An event as decoded from the wire: only its id is known to be sound; judge the rest with `validateEvent`. */
export type RawEvent = Record<string, unknown> & { id: string }

export interface DecodedBatch {
  events: RawEvent[]
  sentAt: Date
}

export type DecodeResult = { ok: true; batch: DecodedBatch } | { ok: false; reason: string }

/** Deeper than any legitimate batch (privateMetadata stops at 8 levels below an event). */
const maxNesting = 32

/** The `v` of the compact format; a body without it is read as the first, superjson, format. */
const compactVersion = 2

/**
 * One event of the compact format, by position: what every event of a batch shares (its
 * source, session, feature and action) sits once in the batch's tables and is named here by
 * index, the timestamp is its age in ms at `sentAt`, and an absent optional field is `0`, or
 * left out at the end. See docs/protocol.md.
 */
type CompactEvent = [
  id: string,
  ageMs: number,
  name: number,
  source: number,
  session: number,
  version: number,
  metadata?: Record<string, number> | 0,
  privateMetadata?: Record<string, unknown> | 0,
  billing?: [product: string, category: string] | 0,
  interactionId?: string | 0,
]

/**
 * Encodes a batch for `POST /.api/telemetry/events` in the compact format, which carries
 * nothing twice that the backend can restore: shared fields once per batch, times as ages.
 * Throws only for what JSON cannot hold (a cycle, a BigInt), which validation keeps out.
 */
export function encodeBatch(batch: EventBatch): string {
  const sentAt = batch.sentAt.getTime()
  const sources: string[][] = []
  const sessions: string[] = []
  const names: string[][] = []
  // One map for the three tables: each key starts with its table's letter. Names cannot hold
  // a space, nor clients and versions a NUL, so the parts of a key cannot run together.
  const indexes = new Map<string, number>()
  const index = (table: unknown[], key: string, value: unknown) => {
    let at = indexes.get(key)
    if (at === undefined) indexes.set(key, (at = table.push(value) - 1))
    return at
  }
  const events = batch.events.map(event => {
    const { client, clientVersion } = event.source
    const p = event.parameters
    const tuple: CompactEvent = [
      event.id,
      sentAt - event.timestamp.getTime(),
      index(names, `n${event.feature} ${event.action}`, [event.feature, event.action]),
      index(
        sources,
        `s${client}\0${clientVersion ?? ''}`,
        clientVersion === undefined ? [client] : [client, clientVersion],
      ),
      index(sessions, `i${event.sessionId}`, event.sessionId),
      p.version,
      p.metadata ?? 0,
      p.privateMetadata ?? 0,
      p.billingMetadata ? [p.billingMetadata.product, p.billingMetadata.category] : 0,
      p.interactionId ?? 0,
    ]
    while (tuple.length > 6 && tuple.at(-1) === 0) tuple.pop()
    return tuple
  })
  return JSON.stringify({ v: compactVersion, sentAt, sources, sessions, names, events })
}

/**
 * Decodes a request body in either format, refusing with a reason anything that is not a
 * batch: bodies that are not JSON, keys that could reach a prototype, nesting past any sane
 * depth, events without a string id, and for the superjson format, annotations other than
 * dates. Each event is left for `validateEvent` to judge alone. Never throws.
 */
export function decodeBatch(text: string): DecodeResult {
  let envelope: unknown
  try {
    envelope = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'the body is not JSON' }
  }
  if (!isPlainObject(envelope) || (envelope.v !== compactVersion && !('json' in envelope))) {
    return {
      ok: false,
      reason:
        'the body is neither a compact batch ({ v: 2, … }) nor a superjson document ({ json, meta })',
    }
  }
  const unsafe = findUnsafeStructure(text, envelope)
  if (unsafe) return { ok: false, reason: unsafe }
  if (envelope.v === compactVersion) return decodeCompact(envelope)

  const unwrapped = unwrapSuperjson(envelope)
  if (!unwrapped.ok) return unwrapped
  const value = unwrapped.value
  if (!isPlainObject(value)) return { ok: false, reason: 'a batch must be an object' }
  const { events, sentAt } = value
  if (!Array.isArray(events)) return { ok: false, reason: 'events must be an array' }
  if (!(sentAt instanceof Date) || Number.isNaN(sentAt.getTime())) {
    return { ok: false, reason: 'sentAt must be a valid Date' }
  }
  for (let index = 0; index < events.length; index++) {
    const event: unknown = events[index]
    if (!isPlainObject(event)) return { ok: false, reason: `events.${index} is not an object` }
    if (typeof event.id !== 'string') {
      return { ok: false, reason: `events.${index} has no string id` }
    }
  }
  return { ok: true, batch: { events: events as RawEvent[], sentAt } }
}

function decodeCompact(envelope: Record<string, unknown>): DecodeResult {
  const { sentAt, sources, sessions, names, events } = envelope
  if (typeof sentAt !== 'number' || Number.isNaN(new Date(sentAt).getTime())) {
    return { ok: false, reason: 'sentAt must be a time in ms' }
  }
  if (!Array.isArray(sources) || !Array.isArray(sessions) || !Array.isArray(names)) {
    return { ok: false, reason: 'sources, sessions and names must be arrays' }
  }
  if (!Array.isArray(events)) return { ok: false, reason: 'events must be an array' }
  // Each table entry is resolved once, not once per event naming it.
  const tables: Tables = {
    names: names.map(asRow),
    sources: sources.map(toSource),
    sessions,
  }
  const decoded: RawEvent[] = new Array<RawEvent>(events.length)
  for (let index = 0; index < events.length; index++) {
    const tuple: unknown = events[index]
    if (!Array.isArray(tuple)) return { ok: false, reason: `events.${index} is not an array` }
    if (typeof tuple[0] !== 'string') {
      return { ok: false, reason: `events.${index} has no string id` }
    }
    decoded[index] = expand(tuple, sentAt, tables)
  }
  return { ok: true, batch: { events: decoded, sentAt: new Date(sentAt) } }
}

/** The table entry at a position the event names; undefined for anything but a valid index. */
function entry(values: unknown[], index: unknown): unknown {
  return typeof index === 'number' && Number.isInteger(index) && index >= 0
    ? values[index]
    : undefined
}

function asRow(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined
}

/** A source table entry, `[client]` or `[client, version]`, in the event's shape. */
function toSource(value: unknown): Record<string, unknown> | undefined {
  const row = asRow(value)
  if (row === undefined) return undefined
  return row.length > 1 ? { client: row[0], clientVersion: row[1] } : { client: row[0] }
}

interface Tables {
  names: (unknown[] | undefined)[]
  sources: (Record<string, unknown> | undefined)[]
  sessions: unknown[]
}

/**
 * An event of the compact format in the shape of the first: what is wrong with it (a missing
 * table entry, a name that is not a string) is left for `validateEvent` to report. Events
 * naming the same source share one object, which validation copies like everything else.
 */
function expand(tuple: unknown[], sentAt: number, tables: Tables): RawEvent {
  const [id, ageMs, name, source, session, version, metadata, privateMetadata, billing] = tuple
  const interactionId: unknown = tuple[9]
  const feature = entry(tables.names, name) as unknown[] | undefined
  const parameters: Record<string, unknown> = { version }
  if (metadata !== 0 && metadata !== undefined) parameters.metadata = metadata
  if (privateMetadata !== 0 && privateMetadata !== undefined) {
    parameters.privateMetadata = privateMetadata
  }
  if (billing !== 0 && billing !== undefined) {
    const pair = asRow(billing)
    parameters.billingMetadata = pair ? { product: pair[0], category: pair[1] } : billing
  }
  if (interactionId !== 0 && interactionId !== undefined) {
    parameters.interactionId = interactionId
  }
  return {
    id: id as string,
    timestamp: typeof ageMs === 'number' ? new Date(sentAt - ageMs) : undefined,
    feature: feature?.[0],
    action: feature?.[1],
    source: entry(tables.sources, source),
    sessionId: entry(tables.sessions, session),
    parameters,
  }
}

/**
 * Refuses nesting deeper than any batch has (by a scan of the text, before anything walks the
 * value) and `__proto__` keys, which a later merge could follow into a prototype. The walk
 * uses no recursion, so hostile nesting cannot exhaust the stack.
 */
function findUnsafeStructure(text: string, root: unknown): string | undefined {
  if (nestingDepth(text) > maxNesting) return `the body nests deeper than ${maxNesting} levels`
  // A `__proto__` key reaches the parsed value only if its name is in the text, spelled out
  // or with \u escapes; without either, the walk below would find nothing.
  if (!text.includes('__proto__') && !text.includes('\\u')) return undefined
  const stack: unknown[] = [root]
  for (let value = stack.pop(); stack.length > 0 || value !== undefined; value = stack.pop()) {
    if (typeof value !== 'object' || value === null) continue
    if (Array.isArray(value)) {
      for (const child of value) stack.push(child)
      continue
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return 'the body holds a __proto__ key'
      stack.push((value as Record<string, unknown>)[key])
    }
  }
  return undefined
}

/**
 * The deepest nesting of arrays and objects in a JSON text, by one scan of its characters
 * outside strings: a string is skipped to its closing quote with indexOf, which is 2 to 3
 * times faster on a batch than looking at each of its characters.
 */
function nestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === 0x22) index = closingQuote(text, index)
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > deepest) deepest = depth
    } else if (code === 0x7d || code === 0x5d) depth--
  }
  return deepest
}

/**
 * Where the string opened at `start` ends: the next quote after an even run of backslashes
 * (an odd run escapes it). Each run is counted once, for the quote it precedes, so the scan
 * stays linear whatever the text.
 */
function closingQuote(text: string, start: number): number {
  for (
    let quote = text.indexOf('"', start + 1);
    quote !== -1;
    quote = text.indexOf('"', quote + 1)
  ) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return quote
  }
  return text.length
}
