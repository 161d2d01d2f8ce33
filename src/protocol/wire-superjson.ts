import { isPlainObject } from './plain-data.js'

/*
 * The first wire format, `superjson.stringify({ events, sentAt })`, which clients before the
 * compact format send and which the backend keeps accepting. Only its date and undefined
 * annotations are honoured; see `decodeBatch` in wire.ts.
 */

/**
 * The only superjson annotations a batch needs: dates, undefined from careless encoders, and
 * the numbers JSON cannot write (superjson sends -0, NaN and ±Infinity as annotated strings):
 * a metadata value of -0 is a number like any other, and a NaN is refused with its event alone.
 */
const allowedAnnotations = new Set(['Date', 'undefined', 'number'])
const specialNumbers = new Map([
  ['-0', -0],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
])

const forbiddenSegments = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * The batch value of a superjson document with its annotations applied, or why there is none.
 * The annotations are applied here rather than by superjson.deserialize: with only dates and
 * undefined allowed, a direct walk is several times faster on the ingest path, and superjson's
 * referential equalities are ignored (without dedupe every shared value is written out in
 * full, so nothing is lost, and no forged cycle can be made).
 */
export function unwrapSuperjson(
  envelope: Record<string, unknown>,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const meta = envelope.meta
  if (meta !== undefined) {
    if (!isPlainObject(meta)) return { ok: false, reason: 'meta must be an object' }
    const problem = checkAnnotations(meta.values)
    if (problem) return { ok: false, reason: problem }
  }
  const value = envelope.json
  if (isPlainObject(meta) && meta.values !== undefined) {
    const problem = applyAnnotations(value, meta.values as Record<string, [string]>)
    if (problem) return { ok: false, reason: problem }
  }
  return { ok: true, value }
}

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

/** Turns the annotated strings into Dates and numbers (and annotated nulls into undefined), in place. */
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
    if (type === 'number') {
      holder[key] =
        typeof stamp === 'string' ? (specialNumbers.get(stamp) ?? Number.NaN) : Number.NaN
      continue
    }
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
      return `meta.values.${path.slice(0, 80)} is not a Date, undefined or number annotation`
    }
  }
  return undefined
}
