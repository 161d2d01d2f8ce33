import type { TelemetryEvent } from './event.js'
import { utf8Length } from './utf8-length.js'

/**
 * Bytes of an event's entry in the compact wire format that do not depend on its values:
 * brackets, quotes and commas, its age in ms, the table indexes and the schema version. What
 * it shares with the rest of its batch (session, source, feature and action) is written once
 * per batch and is covered by this margin too.
 */
const fixedBytes = 24

/**
 * Estimates the encoded size of a validated event, within a few bytes, without encoding it:
 * `JSON.stringify` with its date conversion would cost more than the rest of recording.
 * Queue and batch bounds only need an estimate; a batch that still turns out too large is
 * answered 413 and split.
 */
export function estimateEventBytes(event: TelemetryEvent): number {
  const { parameters } = event
  let bytes = fixedBytes + event.id.length
  if (parameters.metadata) {
    for (const key in parameters.metadata) {
      bytes += key.length + 4 + String(parameters.metadata[key]).length
    }
  }
  if (parameters.privateMetadata) bytes += jsonBytes(parameters.privateMetadata) + 2
  if (parameters.billingMetadata) {
    bytes +=
      parameters.billingMetadata.product.length + parameters.billingMetadata.category.length + 10
  }
  if (parameters.interactionId !== undefined) bytes += parameters.interactionId.length + 4
  return bytes
}

function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value) + 2
  if (typeof value === 'number') return String(value).length
  if (typeof value !== 'object' || value === null) return 5
  let bytes = 2
  if (Array.isArray(value)) {
    for (const item of value) bytes += jsonBytes(item) + 1
    return bytes
  }
  for (const key in value) {
    bytes += utf8Length(key) + 4 + jsonBytes((value as Record<string, unknown>)[key])
  }
  return bytes
}
