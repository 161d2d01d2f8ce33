import fc from 'fast-check'
import superjson from 'superjson'
import { describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { validateEvent } from '../../src/protocol/validate.js'
import { decodeBatch, encodeBatch, type DecodedBatch } from '../../src/protocol/wire.js'

const sentAtMs = Date.UTC(2024, 4, 1, 12, 0, 5)
const sentAt = new Date(sentAtMs)

function event(id: string, overrides: Partial<TelemetryEvent> = {}): TelemetryEvent {
  return {
    id,
    timestamp: new Date(sentAtMs - 1500),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: '6.1.0' },
    sessionId: 'session-0001',
    parameters: { version: 1, metadata: { resultCount: 37 } },
    ...overrides,
  }
}

function decoded(text: string): DecodedBatch {
  const result = decodeBatch(text)
  if (!result.ok) throw new Error(`expected a batch, got: ${result.reason}`)
  return result.batch
}

/** A compact body written by hand, as docs/protocol.md describes it. */
function compact(events: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 2,
    sentAt: sentAtMs,
    sources: [['web', '6.1.0'], ['vscode']],
    sessions: ['session-0001', 'session-0002'],
    names: [
      ['search', 'submitted'],
      ['blob', 'viewed'],
    ],
    events,
    ...extra,
  })
}

describe('the compact format', () => {
  it('writes what events share once per batch, and each time as an age at sentAt', () => {
    const events = [
      event('event-00001'),
      event('event-00002', { timestamp: new Date(sentAtMs - 20) }),
      event('event-00003', { feature: 'blob', action: 'viewed', sessionId: 'session-0002' }),
    ]
    const body = JSON.parse(encodeBatch({ events, sentAt })) as Record<string, unknown>
    expect(body).toEqual({
      v: 2,
      sentAt: sentAtMs,
      sources: [['web', '6.1.0']],
      sessions: ['session-0001', 'session-0002'],
      names: [
        ['search', 'submitted'],
        ['blob', 'viewed'],
      ],
      events: [
        ['event-00001', 1500, 0, 0, 0, 1, { resultCount: 37 }],
        ['event-00002', 20, 0, 0, 0, 1, { resultCount: 37 }],
        ['event-00003', 1500, 1, 0, 1, 1, { resultCount: 37 }],
      ],
    })
  })

  it('marks an absent field in the middle with 0 and leaves absent ones out at the end', () => {
    const withInteraction = event('event-00001', {
      parameters: { version: 3, interactionId: 'interaction-1' },
    })
    const bare = event('event-00002', { parameters: { version: 0 } })
    const body = JSON.parse(encodeBatch({ events: [withInteraction, bare], sentAt })) as {
      events: unknown[]
    }
    expect(body.events).toEqual([
      ['event-00001', 1500, 0, 0, 0, 3, 0, 0, 0, 'interaction-1'],
      ['event-00002', 1500, 0, 0, 0, 0],
    ])
  })

  it('decodes a hand-written body into the events it names', () => {
    const text = compact([
      ['event-00001', 250, 1, 1, 1, 2, 0, { path: 'a/b' }, ['code-search', 'core'], 'click-1'],
      ['event-00002', -40, 0, 0, 0, 1],
    ])
    expect(decoded(text)).toEqual({
      sentAt,
      events: [
        {
          id: 'event-00001',
          timestamp: new Date(sentAtMs - 250),
          feature: 'blob',
          action: 'viewed',
          source: { client: 'vscode' },
          sessionId: 'session-0002',
          parameters: {
            version: 2,
            privateMetadata: { path: 'a/b' },
            billingMetadata: { product: 'code-search', category: 'core' },
            interactionId: 'click-1',
          },
        },
        {
          id: 'event-00002',
          timestamp: new Date(sentAtMs + 40),
          feature: 'search',
          action: 'submitted',
          source: { client: 'web', clientVersion: '6.1.0' },
          sessionId: 'session-0001',
          parameters: { version: 1 },
        },
      ],
    })
  })

  it('leaves an event naming a missing table entry for validation to reject alone', () => {
    const text = compact([
      ['event-00001', 0, 7, 0, 0, 1],
      ['event-00002', 0, 0, -1, 0, 1],
      ['event-00003', 0, 0, 0, 1.5, 1],
      ['event-00004', 'soon', 0, 0, 0, 1],
      ['event-00005', 0, 0, 0, 0, 1],
    ])
    const verdicts = decoded(text).events.map(raw => validateEvent(raw))
    expect(verdicts.map(verdict => verdict.valid)).toEqual([false, false, false, false, true])
    const paths = verdicts.map(v => (v.valid ? [] : v.problems.map(p => p.path)))
    expect(paths.slice(0, 4)).toEqual([
      ['feature', 'action'],
      ['source'],
      ['sessionId'],
      ['timestamp'],
    ])
  })

  it.each([
    ['a sentAt that is not a number', compact([], { sentAt: '2024-05-01' }), 'sentAt'],
    ['a sentAt past any date', compact([], { sentAt: 1e20 }), 'sentAt'],
    ['sources that are not an array', compact([], { sources: {} }), 'must be arrays'],
    ['names that are missing', compact([], { names: undefined }), 'must be arrays'],
    ['events that are an object', compact([], { events: {} }), 'events must be an array'],
    ['an event that is an object', compact([{ id: 'event-00001' }]), 'events.0 is not an array'],
    ['an event without a string id', compact([[42, 0, 0, 0, 0, 1]]), 'events.0 has no string id'],
    ['an unknown version', compact([], { v: 3 }), 'neither a compact batch'],
    [
      'a __proto__ key in metadata',
      compact([['event-00001', 0, 0, 0, 0, 1, JSON.parse('{"__proto__":{"polluted":1}}')]]),
      '__proto__',
    ],
  ])('refuses a whole batch with %s', (_name, text, reason) => {
    const result = decodeBatch(text)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toContain(reason)
  })

  it('is under half the superjson format for typical events, which share a session', () => {
    const events = Array.from({ length: 100 }, (_, i) =>
      event(`event-${String(i).padStart(8, '0')}`, {
        parameters: {
          version: 1,
          metadata: { regex: 1, resultCount: 37 },
          privateMetadata: { query: `repo:^github.com/org/repo$ q${i}`, patternType: 'literal' },
        },
      }),
    )
    const compactBytes = encodeBatch({ events, sentAt }).length
    const superjsonBytes = superjson.stringify({ events, sentAt }).length
    expect(compactBytes).toBeLessThan(superjsonBytes / 2)
  })

  it('never throws, whatever arrays the events hold', () => {
    const tuple = fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 12 })
    fc.assert(
      fc.property(fc.array(fc.oneof(tuple, fc.jsonValue({ maxDepth: 2 }))), events => {
        const result = decodeBatch(compact(events))
        if (result.ok) for (const raw of result.batch.events) validateEvent(raw)
      }),
      { numRuns: 300 },
    )
  })
})
