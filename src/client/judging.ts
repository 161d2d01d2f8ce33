import { estimateEventBytes } from '../protocol/event-size.js'
import type { TelemetryEvent } from '../protocol/event.js'
import type { Scrubber } from '../protocol/scrub.js'
import { validateEvent } from '../protocol/validate.js'
import { InvalidEventError } from './errors/invalid-event-error.js'
import type { StoredEvent } from './stores/event-store.js'

export { readSpilled } from './spill-read.js'

export type Judged = { ok: true; entry: StoredEvent } | { ok: false; error: InvalidEventError }

/**
 * The second half of the batched step: validation with scrubbing in one walk, then the size
 * estimate. A chunk of its own in the browser build (lazy-judge.ts), so a page can record
 * before it is here: events wait in memory, or in the unload spill scrubbed by unjudged.ts,
 * until it is.
 */
export function judge(event: TelemetryEvent, scrub: Scrubber): Judged {
  const result = validateEvent(event, { scrub })
  if (!result.valid) {
    return {
      ok: false,
      error: new InvalidEventError(event.feature, event.action, result.problems),
    }
  }
  return { ok: true, entry: { event: result.event, bytes: estimateEventBytes(result.event) } }
}
