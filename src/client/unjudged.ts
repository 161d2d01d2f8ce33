import type { TelemetryEvent } from '../protocol/event.js'
import {
  maxPrivateMetadataBytes,
  maxPrivateMetadataDepth,
} from '../protocol/private-metadata-limits.js'
import { isPlainObject } from '../protocol/plain-data.js'
import type { Scrubber } from '../protocol/scrub.js'
import type { StoredEvent } from './stores/event-store.js'

/** Nodes a copy visits at most, as the recorder's copy: past them validation refuses anyway. */
const maxNodes = maxPrivateMetadataBytes / 2

/**
 * Characters of strings and keys a copy scrubs at most: twice what a valid event can hold in
 * privateMetadata, which covers the rest of it too; past them scrubbing would cost time in
 * proportion to what validation refuses anyway.
 */
const maxChars = 2 * maxPrivateMetadataBytes

/**
 * Thrown out of the walk for what no copy can hold, and caught at its top: never seen, so it
 * carries no text.
 */
const refused = new Error()

/**
 * What a page going away keeps of an event that the judge has not judged yet (it was
 * still loading): a copy with every string and key scrubbed, since the unload spill and a
 * keepalive send must never carry what the store would not, and its size by the same
 * measure. Validation comes when the spill is taken back (or on the backend, for a send).
 * Undefined for an event that holds more than plain data or more than the bounds allow,
 * which validation would refuse in any case.
 */
export function scrubbedEntry(event: TelemetryEvent, scrub: Scrubber): StoredEvent | undefined {
  let budget = maxNodes
  let chars = 0
  let bytes = 0
  const text = (value: string): string => {
    if ((chars += value.length) > maxChars) throw refused
    const scrubbed = scrub(value)
    bytes += scrubbed.length
    return scrubbed
  }
  const copy = (value: unknown, depth: number): unknown => {
    if (--budget < 0 || depth > maxPrivateMetadataDepth + 2) throw refused
    bytes += 8
    if (typeof value === 'string') return text(value)
    if (typeof value === 'number' || typeof value === 'boolean' || value == null) return value
    if (Array.isArray(value)) {
      // Checked first: mapping `new Array(1e8)` costs seconds, holes and all.
      if (value.length > budget) throw refused
      return value.map(item => copy(item, depth + 1))
    }
    if (!isPlainObject(value)) throw refused
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      const name = text(key)
      // Assigned, `__proto__` would set the copy's prototype; validation refuses the key.
      if (name === '__proto__') throw refused
      out[name] = copy(value[key], depth + 1)
    }
    return out
  }
  try {
    const { timestamp, ...rest } = event
    if (!(timestamp instanceof Date)) return undefined
    const copied = copy(rest, 0) as Omit<TelemetryEvent, 'timestamp'>
    return { event: { ...copied, timestamp }, bytes }
  } catch {
    return undefined
  }
}
