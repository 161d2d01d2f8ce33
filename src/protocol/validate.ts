import type { Scrubber } from './scrub.js'
import {
  idPattern,
  limits,
  namePattern,
  type JsonValue,
  type TelemetryEvent,
  type TelemetryEventParameters,
} from './event.js'

export interface ValidationProblem {
  /** Where the problem is, as a dotted path from the event: `parameters.metadata.count`. */
  path: string
  reason: string
}

export type ValidationResult =
  { valid: true; event: TelemetryEvent } | { valid: false; problems: ValidationProblem[] }

type PlainObject = Record<string, unknown>

const metadataKeyPattern = /^[a-zA-Z][a-zA-Z0-9._-]*$/
const sourcePattern = /^[a-zA-Z0-9@][a-zA-Z0-9@._/+-]*$/

/**
 * Keys superjson refuses to encode (its guard against prototype pollution): an event holding
 * one in its metadata could never be sent, so it is refused here with a reason instead.
 */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype'])

export interface ValidateOptions {
  /**
   * Applied to every string and key of privateMetadata as it is copied: the client scrubs at
   * record time, the backend again on receipt, each in the same walk as validation.
   */
  scrub?: Scrubber
}

/**
 * Checks an event from any source (a caller, a store, the wire) and returns either a clean
 * copy holding only the known fields, or every problem found. Never throws.
 */
export function validateEvent(value: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    return check(value, options.scrub)
  } catch {
    // Only a caller's exotic object gets here (a throwing getter, a proxy, an object posing
    // as a Date): plain data, from a store or the wire, cannot throw while being read.
    return { valid: false, problems: [{ path: '', reason: 'the event could not be read' }] }
  }
}

function check(value: unknown, scrub: Scrubber | undefined): ValidationResult {
  const problems: ValidationProblem[] = []
  const report = (path: string, reason: string): undefined => {
    problems.push({ path, reason })
  }
  if (!isPlainObject(value)) {
    return { valid: false, problems: [{ path: '', reason: 'an event must be an object' }] }
  }

  const id = checkId(value.id, 'id', report)
  const timestamp = checkTimestamp(value.timestamp, report)
  const feature = checkName(value.feature, 'feature', report)
  const action = checkName(value.action, 'action', report)
  const source = checkSource(value.source, report)
  const sessionId = checkId(value.sessionId, 'sessionId', report)
  const parameters = checkParameters(value.parameters, report, scrub)

  if (problems.length > 0) return { valid: false, problems }
  return {
    valid: true,
    // Every field was checked above; the casts only restate what the checks proved.
    event: {
      id: id as string,
      timestamp: timestamp as Date,
      feature: feature as string,
      action: action as string,
      source: source as TelemetryEvent['source'],
      sessionId: sessionId as string,
      parameters: parameters as TelemetryEventParameters,
    },
  }
}

/** Records a problem; returns undefined so that a check can `return report(…)`. */
type Report = (path: string, reason: string) => undefined

export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function checkId(value: unknown, path: string, report: Report): string | undefined {
  if (typeof value !== 'string') return report(path, 'must be a string')
  if (value.length < limits.minIdLength || value.length > limits.maxIdLength) {
    return report(path, `must be ${limits.minIdLength} to ${limits.maxIdLength} characters`)
  }
  if (!idPattern.test(value)) return report(path, 'must use only A-Z a-z 0-9 _ -')
  return value
}

function checkTimestamp(value: unknown, report: Report): Date | undefined {
  if (!(value instanceof Date)) return report('timestamp', 'must be a Date')
  const ms = value.getTime()
  if (Number.isNaN(ms)) return report('timestamp', 'must be a valid date')
  if (ms < limits.minTimestampMs || ms >= limits.maxTimestampMs) {
    return report('timestamp', 'must fall between 2000 and 2100')
  }
  return new Date(ms)
}

function checkName(value: unknown, path: string, report: Report): string | undefined {
  if (typeof value !== 'string') return report(path, 'must be a string')
  if (value.length === 0 || value.length > limits.maxNameLength) {
    return report(path, `must be 1 to ${limits.maxNameLength} characters`)
  }
  if (!namePattern.test(value)) {
    return report(path, 'must start with a-z and use only letters, digits, . and -')
  }
  return value
}

function checkShortString(
  value: unknown,
  path: string,
  report: Report,
  pattern: RegExp,
  maxLength: number,
): string | undefined {
  if (typeof value !== 'string') return report(path, 'must be a string')
  if (value.length === 0 || value.length > maxLength) {
    return report(path, `must be 1 to ${maxLength} characters`)
  }
  if (!pattern.test(value)) return report(path, `must match ${String(pattern)}`)
  return value
}

function checkSource(value: unknown, report: Report): TelemetryEvent['source'] | undefined {
  if (!isPlainObject(value)) return report('source', 'must be an object')
  const client = checkShortString(
    value.client,
    'source.client',
    report,
    sourcePattern,
    limits.maxSourceLength,
  )
  if (value.clientVersion === undefined) return client === undefined ? undefined : { client }
  const clientVersion = checkShortString(
    value.clientVersion,
    'source.clientVersion',
    report,
    sourcePattern,
    limits.maxSourceLength,
  )
  if (client === undefined || clientVersion === undefined) return undefined
  return { client, clientVersion }
}

function checkParameters(
  value: unknown,
  report: Report,
  scrub: Scrubber | undefined,
): TelemetryEventParameters | undefined {
  if (!isPlainObject(value)) return report('parameters', 'must be an object')
  const { version, metadata, privateMetadata, billingMetadata, interactionId } = value
  const clean: TelemetryEventParameters = { version: 0 }
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 0 ||
    version > limits.maxSchemaVersion
  ) {
    report('parameters.version', 'must be a whole number from 0 to 2^31-1')
  } else {
    clean.version = withoutNegativeZero(version)
  }
  if (metadata !== undefined) {
    const checked = checkMetadata(metadata, report)
    if (checked) clean.metadata = checked
  }
  if (privateMetadata !== undefined) {
    const checked = checkPrivateMetadata(privateMetadata, report, scrub)
    if (checked) clean.privateMetadata = checked
  }
  if (billingMetadata !== undefined) {
    if (!isPlainObject(billingMetadata)) {
      report('parameters.billingMetadata', 'must be an object')
    } else {
      const path = 'parameters.billingMetadata'
      const product = checkName(billingMetadata.product, `${path}.product`, report)
      const category = checkName(billingMetadata.category, `${path}.category`, report)
      if (product !== undefined && category !== undefined) {
        clean.billingMetadata = { product, category }
      }
    }
  }
  if (interactionId !== undefined) {
    const checked = checkShortString(
      interactionId,
      'parameters.interactionId',
      report,
      idPattern,
      limits.maxInteractionIdLength,
    )
    if (checked !== undefined) clean.interactionId = checked
  }
  return clean
}

function checkMetadata(value: unknown, report: Report): Record<string, number> | undefined {
  const path = 'parameters.metadata'
  if (!isPlainObject(value)) return report(path, 'must be an object of numbers')
  const keys = Object.keys(value)
  if (keys.length > limits.maxMetadataKeys) {
    return report(path, `must have at most ${limits.maxMetadataKeys} keys`)
  }
  const clean: Record<string, number> = {}
  let ok = true
  for (const key of keys) {
    const entry = value[key]
    if (key.length > limits.maxNameLength || !metadataKeyPattern.test(key)) {
      report(
        `${path}.${key.slice(0, 80)}`,
        'keys must start with a letter and use only letters, digits, . _ -',
      )
      ok = false
    } else if (reservedKeys.has(key)) {
      report(`${path}.${key}`, `must not use the key ${key}`)
      ok = false
    } else if (typeof entry !== 'number' || !Number.isFinite(entry)) {
      report(`${path}.${key}`, 'must be a finite number')
      ok = false
    } else {
      clean[key] = withoutNegativeZero(entry)
    }
  }
  return ok ? clean : undefined
}

function checkPrivateMetadata(
  value: unknown,
  report: Report,
  scrub: Scrubber | undefined,
): Record<string, JsonValue> | undefined {
  const path = 'parameters.privateMetadata'
  if (!isPlainObject(value)) return report(path, 'must be an object')
  // Every bound is checked on what was given before any rule runs: scrubbing costs time in
  // proportion to the strings, so an oversized event must cost no more than its refusal. The
  // second walk scrubs what the first has proved plain and small, and measures it again, since
  // a replacement may be longer than what it replaced (`a@b.co` becomes `[redacted:email]`).
  let clean: unknown = value
  for (const pass of scrub ? [undefined, scrub] : [undefined]) {
    const walk: Walk = { upperBoundBytes: 0, report, scrub: pass }
    const copy = copyJson(clean, 'parameters', 'privateMetadata', 1, walk)
    if (copy === undefined || !fitsInLimit(copy, walk.upperBoundBytes, report)) return undefined
    clean = copy
  }
  return clean as Record<string, JsonValue>
}

/** The walk summed a cheap upper bound; only a value near the limit pays for an exact count. */
function fitsInLimit(value: JsonValue, upperBoundBytes: number, report: Report): boolean {
  if (upperBoundBytes <= limits.maxPrivateMetadataBytes) return true
  const bytes = utf8Length(JSON.stringify(value))
  if (bytes <= limits.maxPrivateMetadataBytes) return true
  report(
    'parameters.privateMetadata',
    `is ${bytes} bytes encoded; the limit is ${limits.maxPrivateMetadataBytes}`,
  )
  return false
}

/**
 * Past this many bytes by the upper bound the walk stops, the exact count left to confirm a
 * refusal on no more than 4 × the limit in characters. A value at the limit stays below it
 * even when made of numbers, which the bound counts at 24 bytes.
 */
const maxUpperBoundBytes = limits.maxPrivateMetadataBytes * 24

interface Walk {
  /** The encoded size counting 6 bytes a UTF-16 unit, which covers `\uXXXX` escapes. */
  upperBoundBytes: number
  report: Report
  scrub: Scrubber | undefined
}

/**
 * Copies a JSON value, checking its shape and depth, scrubbing its strings and keys when asked,
 * and summing bounds of its encoded size.
 * Paths are only spelled out for a report or a nested value: building one per leaf would
 * cost more than the checks. Recursion is bounded by the depth limit, so hostile nesting
 * cannot blow the stack, and the walk stops once the bound is far past the limit, so a huge
 * value costs no more than one a few times the limit.
 */
function copyJson(
  value: unknown,
  parent: string,
  key: string | number,
  depth: number,
  walk: Walk,
): JsonValue | undefined {
  switch (typeof value) {
    case 'string': {
      const text = walk.scrub ? walk.scrub(value) : value
      return addBytes(walk, text.length * 6 + 2) ? text : undefined
    }
    case 'boolean':
      return addBytes(walk, 5) ? value : undefined
    case 'number':
      if (!Number.isFinite(value))
        return walk.report(pathOf(parent, key), 'must be a finite number')
      return addBytes(walk, 24) ? withoutNegativeZero(value) : undefined
    case 'object':
      break
    default:
      return walk.report(pathOf(parent, key), `a ${typeof value} is not a JSON value`)
  }
  if (value === null) return addBytes(walk, 4) ? null : undefined
  if (depth > limits.maxPrivateMetadataDepth) {
    return walk.report(
      pathOf(parent, key),
      `nests deeper than ${limits.maxPrivateMetadataDepth} levels`,
    )
  }
  const here = pathOf(parent, key)
  if (Array.isArray(value)) {
    const copy: JsonValue[] = []
    if (!addBytes(walk, 2)) return undefined
    for (let index = 0; index < value.length; index++) {
      const item = copyJson(value[index], here, index, depth + 1, walk)
      if (item === undefined || !addBytes(walk, 1)) return undefined
      copy.push(item)
    }
    return copy
  }
  if (!isPlainObject(value)) return walk.report(here, 'must be a plain object, array or primitive')
  const copy: Record<string, JsonValue> = {}
  if (!addBytes(walk, 2)) return undefined
  for (const original of Object.keys(value)) {
    // A key can hold a secret as well as a value; a reserved key is refused even when a
    // scrub rule produced it.
    const name = walk.scrub ? walk.scrub(original) : original
    if (reservedKeys.has(name)) return walk.report(here, `must not use the key ${name}`)
    if (!addBytes(walk, name.length * 6 + 4)) return undefined
    const item = copyJson(value[original], here, original, depth + 1, walk)
    if (item === undefined) return undefined
    copy[name] = item
  }
  return copy
}

/** Adds to the upper bound; reports and returns false once it is past all hope. */
function addBytes(walk: Walk, bytes: number): boolean {
  walk.upperBoundBytes += bytes
  if (walk.upperBoundBytes <= maxUpperBoundBytes) return true
  walk.report(
    'parameters.privateMetadata',
    `exceeds ${limits.maxPrivateMetadataBytes} bytes encoded`,
  )
  return false
}

function pathOf(parent: string, key: string | number): string {
  return `${parent}.${typeof key === 'string' ? key.slice(0, 80) : key}`
}

/**
 * JSON has no -0 (`Math.round(-0.2)` makes one): superjson would send it with a `number`
 * annotation, which decodeBatch refuses for the whole batch, so the clean copy holds 0.
 */
function withoutNegativeZero(value: number): number {
  return value === 0 ? 0 : value
}

/** UTF-8 length without allocating an encoder's buffer. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        index++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}
