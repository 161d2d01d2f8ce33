import { CLOSE_MARKER, ESCAPED_MARKER, OPEN_MARKER, REDACTED, escapeMarkers } from './markers.js'

declare const redactableBrand: unique symbol

/**
 * A string whose unsafe parts sit between the markers ‹ ›, made by {@link redactable}.
 * At run time it is a plain string, so it travels in privateMetadata like any other.
 */
export type RedactableString = string & { readonly [redactableBrand]: true }

// A registered symbol, so that a value marked safe in one realm (a webview, an extension
// host) is still recognised in another copy of this module.
const safeKey = Symbol.for('tally-telemetry.safe')

/** A value that {@link safe} vouched for. */
export interface SafeValue {
  readonly [safeKey]: string
}

/**
 * Marks a value as safe to leave the instance inside a {@link redactable} string: the one
 * escape hatch. Use it for values you produced yourself (a count, an enum), never for input.
 */
export function safe(value: string | number | boolean | bigint): SafeValue {
  return { [safeKey]: String(value) }
}

function isSafeValue(value: unknown): value is SafeValue {
  // The text is checked too: a vouched-for value made by another copy of this module (another
  // version, another realm) may hold something else, and redactable must not throw at the caller.
  return (
    typeof value === 'object' &&
    value !== null &&
    safeKey in value &&
    typeof (value as Partial<SafeValue>)[safeKey] === 'string'
  )
}

/**
 * Tagged template after cockroachdb/redact: the literal parts are safe, each interpolated
 * value is unsafe and stored between ‹ ›, unless wrapped in {@link safe}.
 *
 * @example redactable`opened ${path} at line ${safe(line)}` // 'opened ‹/src/a.ts› at line 3'
 */
export function redactable(
  literals: TemplateStringsArray,
  ...values: readonly unknown[]
): RedactableString {
  let text = escapeMarkers(literals[0] ?? '')
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    text += isSafeValue(value)
      ? escapeMarkers(value[safeKey])
      : OPEN_MARKER + escapeMarkers(describe(value)) + CLOSE_MARKER
    text += escapeMarkers(literals[index + 1] ?? '')
  }
  return text as RedactableString
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
      return JSON.stringify(value)
    }
    return String(value)
  } catch {
    // A throwing toString or a cycle: the value is unsafe anyway, so its text hardly matters.
    return '?'
  }
}

/**
 * Replaces every unsafe part with ‹×›. A marker opened and never closed hides everything
 * after it, and a stray closing marker is neutralised, so no input can make unsafe text
 * render as safe.
 */
export function renderRedacted(text: string): string {
  if (!text.includes(OPEN_MARKER) && !text.includes(CLOSE_MARKER)) return text
  let out = ''
  let depth = 0
  for (const char of text) {
    if (char === OPEN_MARKER) {
      depth++
    } else if (char === CLOSE_MARKER) {
      if (depth === 0) out += ESCAPED_MARKER
      else if (--depth === 0) out += REDACTED
    } else if (depth === 0) {
      out += char
    }
  }
  return depth > 0 ? out + REDACTED : out
}

/** Whether `text` holds unsafe parts, that is, whether redaction would change it. */
export function hasUnsafeParts(text: string): boolean {
  // A stray closing marker counts too: renderRedacted neutralises it, so a caller that skips
  // the render when this says false must not let that marker through.
  return text.includes(OPEN_MARKER) || text.includes(CLOSE_MARKER)
}
