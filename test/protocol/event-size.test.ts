import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { JsonValue, TelemetryEvent } from '../../src/protocol/event.js'
import { estimateEventBytes } from '../../src/protocol/event-size.js'
import { encodeBatch } from '../../src/protocol/wire.js'

const base: TelemetryEvent = {
  id: 'V1StGXR8_Z5jdHi6B-myT',
  timestamp: new Date('2026-11-27T12:00:00Z'),
  feature: 'blob.codeintel',
  action: 'goToDefinition',
  source: { client: 'vscode', clientVersion: '1.2.3' },
  sessionId: 'Uakgb_J5m9g-0JDMbcJqL',
  parameters: { version: 1, metadata: { regex: 1, resultCount: 37 } },
}

/** Keys superjson refuses to encode; validation refuses them before an event is queued. */
const reserved = new Set(['__proto__', 'constructor', 'prototype'])
const validatable = (value: unknown): boolean =>
  typeof value !== 'object' ||
  value === null ||
  Object.entries(value).every(([key, item]) => !reserved.has(key) && validatable(item))

/** What one more event adds to an encoded batch. */
function encodedBytes(event: TelemetryEvent): number {
  const one = encodeBatch({ events: [event], sentAt: event.timestamp })
  const two = encodeBatch({
    events: [event, { ...event, id: 'second-event-id-00000' }],
    sentAt: event.timestamp,
  })
  return Buffer.byteLength(two) - Buffer.byteLength(one)
}

describe('estimateEventBytes', () => {
  it('is within 15% + 64 bytes of what the event adds to an encoded batch', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc
            .dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 }))
            .filter(validatable),
          {
            nil: undefined,
          },
        ),
        fc.option(fc.string({ unit: 'binary', maxLength: 200 }), { nil: undefined }),
        (privateMetadata, text) => {
          const event: TelemetryEvent = {
            ...base,
            parameters: {
              ...base.parameters,
              ...(privateMetadata || text !== undefined
                ? {
                    privateMetadata: {
                      ...(privateMetadata as Record<string, JsonValue>),
                      text: text ?? '',
                    },
                  }
                : {}),
            },
          }
          const actual = encodedBytes(event)
          const estimate = estimateEventBytes(event)
          expect(Math.abs(estimate - actual)).toBeLessThanOrEqual(actual * 0.15 + 64)
        },
      ),
      { numRuns: 300 },
    )
  })
})
