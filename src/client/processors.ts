import type { TelemetryEvent } from '../protocol/event.js'

/**
 * Enriches an event before it is scrubbed and validated: in the batched step at the end of the
 * task that recorded it, not inside `recordEvent`, after the recorder's own enrichment (source,
 * session, billing metadata). Processors mutate the draft they are given; a processor that
 * throws is reported and skipped.
 */
export interface EventProcessor {
  readonly name: string
  process(event: TelemetryEvent): void
}
