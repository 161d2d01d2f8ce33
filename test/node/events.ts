import type { StoredEvent } from '../../src/client/stores/event-store.js'
import type { JsonValue } from '../../src/protocol/event.js'
import { estimateEventBytes } from '../../src/protocol/event-size.js'
import { eventId, sampleEvent } from '../support/events.js'

/** `count` queued events with fresh ids and their estimated sizes, oldest first. */
export function storedEvents(
  count: number,
  options: { privateMetadata?: Record<string, JsonValue> } = {},
): StoredEvent[] {
  return Array.from({ length: count }, () => {
    const event = sampleEvent({
      id: eventId(),
      parameters: {
        version: 1,
        ...(options.privateMetadata ? { privateMetadata: options.privateMetadata } : {}),
      },
    })
    return { event, bytes: estimateEventBytes(event) }
  })
}
