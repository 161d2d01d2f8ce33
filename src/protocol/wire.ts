import superjson from 'superjson'
import type { EventBatch } from './event.js'
import { isPlainObject } from './validate.js'

/** An event as decoded from the wire: only its id is known to be sound; judge the rest with `validateEvent`. */
export type RawEvent = Record<string, unknown> & { id: string }

export interface DecodedBatch {
  events: RawEvent[]
  sentAt: Date
}

export type DecodeResult = { ok: true; batch: DecodedBatch } | { ok: false; reason: string }

/** The only superjson annotations a batch needs: dates, and undefined from careless encoders. */
const allowedAnnotations = new Set(['Date', 'undefined'])

/** Deeper than any legitimate batch (privateMetadata stops at 8 levels below an event). */
const maxNesting = 32

/** Encodes a batch for `POST /.api/telemetry/events`. */
export function encodeBatch(batch: EventBatch): string {
  return superjson.stringify({ events: batch.events, sentAt: batch.sentAt })
}

/**
 * Decodes a request body, refusing with a reason anything that is not a batch: bodies that
 * are not superjson, annotations other than dates, keys that could reach a prototype,
 * nesting past any sane depth, and events without a string id. Each event is left for
 * `validateEvent` to judge alone. Never throws.
 */
export function decodeBatch(text: string): DecodeResult {
  let envelope: unknown
  try {
    envelope = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'the body is not JSON' }
  }
  if (!isPlainObject(envelope) || !('json' in envelope)) {
    return { ok: false, reason: 'the body is not a superjson document ({ json, meta })' }
  }
  const unsafe = findUnsafeStructure(text, envelope)
  if (unsafe) return { ok: false, reason: unsafe }

  const meta = envelope.meta
  if (meta !== undefined) {
    if (!isPlainObject(meta)) return { ok: false, reason: 'meta must be an object' }
    const problem = checkAnnotations(meta.values)
    if (problem) return { ok: false, reason: problem }
  }

  // The annotations are applied here rather than by superjson.deserialize: with only dates
  // and undefined allowed, a direct walk is several times faster on the ingest path, and
  // superjson's referential equalities are ignored (without dedupe every shared value is
  // written out in full, so nothing is lost, and no forged cycle can be made).
  const value = envelope.json
  if (isPlainObject(meta) && meta.values !== undefined) {
    const problem = applyAnnotations(value, meta.values as Record<string, [string]>)
    if (problem) return { ok: false, reason: problem }
  }

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

const forbiddenSegments = new Set(['__proto__', 'constructor', 'prototype'])

/** superjson's path syntax: segments joined by `.`, with `\\.` and `\\\\` escaping. */
function parsePath(path: string): string[] | undefined {
  if (!path.includes('\\')) return path.split('.')
  const segments: string[] = []
  let segment = ''
  for (let index = 0; index < path.length; index++) {
    const char = path.charAt(index)
    if (char === '\\') {
      const next = path[index + 1]
      if (next !== '.' && next !== '\\') return undefined
      segment += next
      index++
    } else if (char === '.') {
      segments.push(segment)
      segment = ''
    } else {
      segment += char
    }
  }
  segments.push(segment)
  return segments
}

/** Turns the annotated strings into Dates (and annotated nulls into undefined), in place. */
function applyAnnotations(root: unknown, values: Record<string, [string]>): string | undefined {
  for (const [path, [type]] of Object.entries(values)) {
    const segments = parsePath(path)
    const shown = path.slice(0, 80)
    if (!segments || segments.some(segment => forbiddenSegments.has(segment))) {
      return `the body is not valid superjson: meta.values has an invalid path ${shown}`
    }
    let parent: unknown = root
    for (const segment of segments.slice(0, -1)) {
      parent =
        typeof parent === 'object' && parent !== null && Object.hasOwn(parent, segment)
          ? (parent as Record<string, unknown>)[segment]
          : undefined
    }
    const key = segments.at(-1) as string
    // An annotation on nothing changes nothing; the shape checks after this judge what is there.
    if (typeof parent !== 'object' || parent === null || !Object.hasOwn(parent, key)) continue
    const holder = parent as Record<string, unknown>
    // As superjson would: a date made of anything but an ISO string is an invalid Date, which
    // the checks after this refuse in its place.
    const stamp = holder[key]
    holder[key] =
      type === 'undefined' ? undefined : new Date(typeof stamp === 'string' ? stamp : Number.NaN)
  }
  return undefined
}

function checkAnnotations(values: unknown): string | undefined {
  if (values === undefined) return undefined
  if (!isPlainObject(values)) return 'meta.values must be an object'
  for (const [path, annotation] of Object.entries(values)) {
    if (
      !Array.isArray(annotation) ||
      annotation.length !== 1 ||
      typeof annotation[0] !== 'string' ||
      !allowedAnnotations.has(annotation[0])
    ) {
      return `meta.values.${path.slice(0, 80)} is not a Date or undefined annotation`
    }
  }
  return undefined
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

/** The deepest nesting of arrays and objects in a JSON text, by one scan of its characters. */
function nestingDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === 0x5c)
        index++ // a backslash escapes the next character
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x7b || code === 0x5b) {
      if (++depth > deepest) deepest = depth
    } else if (code === 0x7d || code === 0x5d) {
      depth--
    }
  }
  return deepest
}
