import type { Scrubber } from './scrub.js'
import {
  idPattern,
  limits,
  namePattern,
  type JsonValue,
  type TelemetryEvent,
  type TelemetryEventParameters,
} from './event.js'
import { isPlainObject } from './plain-data.js'
import { utf8Length } from './utf8-length.js'

export interface ValidationProblem {
  /** Where the problem is, as a dotted path from the event: `parameters.metadata.count`. */
  path: string
  reason: string
}

export type ValidationResult =
  { valid: true; event: TelemetryEvent } | { valid: false; problems: ValidationProblem[] }

// Read once into locals: a minifier shortens a local's name but never a property's.
const {
  maxNameLength,
  maxMetadataKeys,
  maxPrivateMetadataDepth,
  maxPrivateMetadataBytes,
  maxSourceLength,
} = limits

const metadataKeyPattern = /^[a-zA-Z][a-zA-Z0-9._-]*$/
const sourcePattern = /^[a-zA-Z0-9@][a-zA-Z0-9@._/+-]*$/
const nameRule = 'must start with a-z and use only letters, digits, . and -'
// Spelled out once: building a rule's text per check cost ingest a microsecond per event.
const sourceRule = `must match ${String(sourcePattern)}`
const interactionIdRule = `must match ${String(idPattern)}`
const anObject = 'must be an object'
const privatePath = 'parameters.privateMetadata'

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
    return invalid('the event could not be read')
  }
}

function invalid(reason: string): ValidationResult {
  return { valid: false, problems: [{ path: '', reason }] }
}

function check(value: unknown, scrub: Scrubber | undefined): ValidationResult {
  const problems: ValidationProblem[] = []
  const report: Report = (path, reason) => {
    problems.push({ path, reason })
  }
  if (!isPlainObject(value)) return invalid('an event must be an object')

  const id = checkId(value.id, 'id', report)
  const timestamp = checkTimestamp(value.timestamp, report)
  const feature = checkText(value.feature, 'feature', report, namePattern, nameRule, maxNameLength)
  const action = checkText(value.action, 'action', report, namePattern, nameRule, maxNameLength)
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

/** One helper for every bounded string: ids, names, the source, the interaction id. */
function checkText(
  value: unknown,
  path: string,
  report: Report,
  pattern: RegExp,
  rule: string,
  max: number,
  min = 1,
): string | undefined {
  if (typeof value !== 'string') return report(path, 'must be a string')
  if (value.length < min || value.length > max) {
    return report(path, `must be ${min} to ${max} characters`)
  }
  return pattern.test(value) ? value : report(path, rule)
}

function checkId(value: unknown, path: string, report: Report): string | undefined {
  return checkText(
    value,
    path,
    report,
    idPattern,
    'must use only A-Z a-z 0-9 _ -',
    limits.maxIdLength,
    limits.minIdLength,
  )
}

function checkSourceText(value: unknown, path: string, report: Report): string | undefined {
  return checkText(value, path, report, sourcePattern, sourceRule, maxSourceLength)
}

function checkTimestamp(value: unknown, report: Report): Date | undefined {
  const path = 'timestamp'
  if (!(value instanceof Date)) return report(path, 'must be a Date')
  const ms = value.getTime()
  if (Number.isNaN(ms)) return report(path, 'must be a valid date')
  if (ms < limits.minTimestampMs || ms >= limits.maxTimestampMs) {
    return report(path, 'must fall between 2000 and 2100')
  }
  return new Date(ms)
}

function checkSource(value: unknown, report: Report): TelemetryEvent['source'] | undefined {
  if (!isPlainObject(value)) return report('source', anObject)
  const client = checkSourceText(value.client, 'source.client', report)
  if (value.clientVersion === undefined) return client === undefined ? undefined : { client }
  const clientVersion = checkSourceText(value.clientVersion, 'source.clientVersion', report)
  if (client === undefined || clientVersion === undefined) return undefined
  return { client, clientVersion }
}

function checkParameters(
  value: unknown,
  report: Report,
  scrub: Scrubber | undefined,
): TelemetryEventParameters | undefined {
  if (!isPlainObject(value)) return report('parameters', anObject)
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
    const path = 'parameters.billingMetadata'
    if (!isPlainObject(billingMetadata)) {
      report(path, anObject)
    } else {
      const name = (key: 'product' | 'category') =>
        checkText(
          billingMetadata[key],
          `${path}.${key}`,
          report,
          namePattern,
          nameRule,
          maxNameLength,
        )
      const product = name('product')
      const category = name('category')
      if (product !== undefined && category !== undefined) {
        clean.billingMetadata = { product, category }
      }
    }
  }
  if (interactionId !== undefined) {
    const checked = checkText(
      interactionId,
      'parameters.interactionId',
      report,
      idPattern,
      interactionIdRule,
      limits.maxInteractionIdLength,
    )
    if (checked !== undefined) clean.interactionId = checked
  }
  return clean
}

function checkMetadata(value: unknown, report: Report): Record<string, number> | undefined {
  const path = 'parameters.metadata'
  if (!isPlainObject(value)) return report(path, `${anObject} of numbers`)
  const keys = Object.keys(value)
  if (keys.length > maxMetadataKeys) {
    return report(path, `must have at most ${maxMetadataKeys} keys`)
  }
  const clean: Record<string, number> = {}
  let ok = true
  for (const key of keys) {
    const entry = value[key]
    const reason =
      key.length > maxNameLength || !metadataKeyPattern.test(key)
        ? 'keys must start with a letter and use only letters, digits, . _ -'
        : reservedKeys.has(key)
          ? `must not use the key ${key}`
          : typeof entry !== 'number' || !Number.isFinite(entry)
            ? 'must be a finite number'
            : undefined
    if (reason) {
      report(pathOf(path, key), reason)
      ok = false
    } else {
      clean[key] = withoutNegativeZero(entry as number)
    }
  }
  return ok ? clean : undefined
}

function checkPrivateMetadata(
  value: unknown,
  report: Report,
  scrub: Scrubber | undefined,
): Record<string, JsonValue> | undefined {
  if (!isPlainObject(value)) return report(privatePath, anObject)
  // Every bound is checked on what was given before any rule runs: scrubbing costs time in
  // proportion to the strings, so an oversized event must cost no more than its refusal. The
  // second walk scrubs what the first has proved plain and small, and measures it again, since
  // a replacement may be longer than what it replaced (`a@b.co` becomes `[redacted:email]`).
  let clean: unknown = value
  for (const pass of scrub ? [undefined, scrub] : [undefined]) {
    clean = copyJson(clean, report, pass)
    if (clean === undefined) return undefined
  }
  return clean as Record<string, JsonValue>
}

/**
 * Past this many bytes by the upper bound the walk stops, the exact count left to confirm a
 * refusal on no more than 4 × the limit in characters. A value at the limit stays below it
 * even when made of numbers, which the bound counts at 24 bytes.
 */
const maxUpperBoundBytes = maxPrivateMetadataBytes * 24

/**
 * Copies a JSON value, checking its shape and depth, scrubbing its strings and keys when asked,
 * and summing an upper bound of its encoded size (6 bytes a UTF-16 unit, which covers `\uXXXX`
 * escapes); only a value near the limit pays for an exact count.
 * Paths are only spelled out for a report or a nested value: building one per leaf would
 * cost more than the checks. Recursion is bounded by the depth limit, so hostile nesting
 * cannot blow the stack, and the walk stops once the bound is far past the limit, so a huge
 * value costs no more than one a few times the limit.
 */
function copyJson(
  value: unknown,
  report: Report,
  scrub: Scrubber | undefined,
): JsonValue | undefined {
  let upperBoundBytes = 0
  /** Adds to the upper bound; reports and returns false once it is past all hope. */
  const add = (bytes: number): boolean => {
    upperBoundBytes += bytes
    if (upperBoundBytes <= maxUpperBoundBytes) return true
    report(privatePath, `exceeds ${maxPrivateMetadataBytes} bytes encoded`)
    return false
  }
  const copy = (
    value: unknown,
    parent: string,
    key: string | number,
    depth: number,
  ): JsonValue | undefined => {
    switch (typeof value) {
      case 'string': {
        const text = scrub ? scrub(value) : value
        return add(text.length * 6 + 2) ? text : undefined
      }
      case 'boolean':
        return add(5) ? value : undefined
      case 'number':
        if (!Number.isFinite(value)) return report(pathOf(parent, key), 'must be a finite number')
        return add(24) ? withoutNegativeZero(value) : undefined
      case 'object':
        break
      default:
        return report(pathOf(parent, key), `a ${typeof value} is not a JSON value`)
    }
    if (value === null) return add(4) ? null : undefined
    const here = pathOf(parent, key)
    if (depth > maxPrivateMetadataDepth) {
      return report(here, `nests deeper than ${maxPrivateMetadataDepth} levels`)
    }
    if (Array.isArray(value)) {
      const items: JsonValue[] = []
      if (!add(2)) return undefined
      for (let index = 0; index < value.length; index++) {
        const item = copy(value[index], here, index, depth + 1)
        if (item === undefined || !add(1)) return undefined
        items.push(item)
      }
      return items
    }
    if (!isPlainObject(value)) return report(here, 'must be a plain object, array or primitive')
    const entries: Record<string, JsonValue> = {}
    if (!add(2)) return undefined
    for (const original of Object.keys(value)) {
      // A key can hold a secret as well as a value; a reserved key is refused even when a
      // scrub rule produced it.
      const name = scrub ? scrub(original) : original
      if (reservedKeys.has(name)) return report(here, `must not use the key ${name}`)
      if (!add(name.length * 6 + 4)) return undefined
      const item = copy(value[original], here, original, depth + 1)
      if (item === undefined) return undefined
      entries[name] = item
    }
    return entries
  }
  const result = copy(value, 'parameters', 'privateMetadata', 1)
  if (result === undefined || upperBoundBytes <= maxPrivateMetadataBytes) return result
  const bytes = utf8Length(JSON.stringify(result))
  if (bytes <= maxPrivateMetadataBytes) return result
  return report(privatePath, `is ${bytes} bytes encoded; the limit is ${maxPrivateMetadataBytes}`)
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
