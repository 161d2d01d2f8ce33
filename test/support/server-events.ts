import type { JsonValue } from '../../src/protocol/event.js'
import type { IngestedEvent } from '../../src/server/stores/server-event-store.js'
import { eventId, sampleEvent } from './events.js'

export { eventId }

/** A valid stored event; `privateMetadata` and the names can be chosen. */
export function ingested(
  options: {
    id?: string
    feature?: string
    action?: string
    privateMetadata?: Record<string, JsonValue>
    receivedAt?: Date
    userId?: number
  } = {},
): IngestedEvent {
  const receivedAt = options.receivedAt ?? new Date('2024-05-01T12:00:05.000Z')
  const event = sampleEvent({
    id: options.id ?? eventId(),
    timestamp: new Date(receivedAt.getTime() - 65_000),
    feature: options.feature ?? 'search',
    action: options.action ?? 'submitted',
    parameters: {
      version: 1,
      metadata: { regex: 1, resultCount: 37 },
      ...(options.privateMetadata ? { privateMetadata: options.privateMetadata } : {}),
      billingMetadata: { product: 'code-search', category: 'core' },
      interactionId: 'interaction-0001',
    },
  })
  return {
    event,
    userId: options.userId ?? 7,
    receivedAt,
    correctedTimestamp: new Date(receivedAt.getTime() - 5_000),
  }
}
