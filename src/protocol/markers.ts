/**
 * Markers around the unsafe parts of a redactable string, after cockroachdb/redact.
 * They are single code points outside anything a scrubber or a name rule matches,
 * so a marker can be found without parsing and never splits a surrogate pair.
 */
export const OPEN_MARKER = '\u2039' // ‹
export const CLOSE_MARKER = '\u203a' // ›

/** What an unsafe part becomes once redacted. */
export const REDACTED = `${OPEN_MARKER}\u00d7${CLOSE_MARKER}` // ‹×›

/** What a marker character found inside a value is replaced with, so a value never forges a marker. */
export const ESCAPED_MARKER = '?'

const markerPattern = /[\u2039\u203a]/g

/** Replaces marker characters in `value` so that it can sit inside or beside markers safely. */
export function escapeMarkers(value: string): string {
  return value.includes(OPEN_MARKER) || value.includes(CLOSE_MARKER)
    ? value.replace(markerPattern, ESCAPED_MARKER)
    : value
}
