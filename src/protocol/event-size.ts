import type { TelemetryEvent } from './event.js'
import { utf8Length } from './validate.js'

/**
 * Bytes of an event's JSON that do not depend on its values: key names, quotes, the ISO
 * timestamp, and superjson's date annotation in the batch envelope.
 */
const fixedBytes = 190

/**
 * Estimates the encoded size of a validated event, within a few bytes, without encoding it:
 * `JSON.stringify` with its date conversion would cost more than the rest of recording.
 * Queue and batch bounds only need an estimate; a batch that still turns out too large is
 * answered 413 and split.
 */
export function estimateEventBytes(event: TelemetryEvent): number {
  const { parameters, source } = event
  let bytes =
    fixedBytes +
    event.id.length +
    event.sessionId.length +
    event.feature.length +
    event.action.length +
    source.client.length +
    (source.clientVersion?.length ?? 0) +
    12
  if (parameters.metadata) {
    for (const key in parameters.metadata) bytes += key.length + 12
  }
  if (parameters.privateMetadata) bytes += jsonBytes(parameters.privateMetadata) + 20
  if (parameters.billingMetadata) {
    bytes +=
      parameters.billingMetadata.product.length + parameters.billingMetadata.category.length + 40
  }
  if (parameters.interactionId !== undefined) bytes += parameters.interactionId.length + 20
  return bytes
}

function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Length(value) + 2
  if (typeof value !== 'object' || value === null) return 12
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
