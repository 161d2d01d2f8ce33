import type { TelemetryEvent } from './event.js'
import { utf8Length } from './validate.js'

/**
 * Bytes of an event's entry in the compact wire format that do not depend on its values:
 * brackets, quotes and commas, its age in ms, the table indexes and the schema version. What
 * it shares with the rest of its batch (session, source, feature and action) is written once
 * per batch and is covered by this margin too.
 */
const fixedBytes = 24

/** Only characters below U+0080: a JSON text's length is then its UTF-8 length. */
const ascii = /^[^\u0080-\uffff]*$/

/**
 * Estimates the encoded size of a validated event, within a few bytes, encoding only its
 * privateMetadata: `JSON.stringify` of the whole event, with its date conversion, would cost
 * more than the rest of recording.
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
  if (parameters.privateMetadata) {
    // Native, unlike a walk in script (a tenth of the batched step in a fresh page), and it
    // counts escapes as they are sent. The comma after it makes the 1.
    const json = JSON.stringify(parameters.privateMetadata)
    bytes += (ascii.test(json) ? json.length : utf8Length(json)) + 1
  }
  if (parameters.billingMetadata) {
    bytes +=
      parameters.billingMetadata.product.length + parameters.billingMetadata.category.length + 10
  }
  if (parameters.interactionId !== undefined) bytes += parameters.interactionId.length + 4
  return bytes
}
