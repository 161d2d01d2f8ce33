import type { StoredEvent } from '../../src/client/stores/event-store.js'
import type { TelemetryEvent } from '../../src/protocol/event.js'

let counter = 0

/** A unique, valid event id (nanoid's alphabet, 8 to 64 characters). */
export function eventId(): string {
  counter++
  return `evt_${String(counter).padStart(8, '0')}`
}

/**
 * An event that passes validation on both sides: `search`/`submitted` from a `web` client,
 * with a fresh id unless one is given. Tests override what they are about.
 */
export function sampleEvent(overrides: Partial<TelemetryEvent> = {}): TelemetryEvent {
  return {
    id: eventId(),
    timestamp: new Date('2026-11-27T12:00:00Z'),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: '6.1.0' },
    sessionId: 'session-0001',
    parameters: { version: 1 },
    ...overrides,
  }
}

/** A queued event as a client store holds it: the event and its measured size. */
export function storedEvent(
  id: string,
  bytes = 100,
  overrides: Partial<TelemetryEvent> = {},
): StoredEvent {
  return { event: sampleEvent({ id, ...overrides }), bytes }
}
