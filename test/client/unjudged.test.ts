import { describe, expect, it } from 'vitest'
import { scrubbedEntry } from '../../src/client/unjudged.js'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { limits } from '../../src/protocol/event.js'

const scrub = (value: string) => value.replaceAll('secret', '[gone]')

function event(parameters: Record<string, unknown>, rest: Record<string, unknown> = {}) {
  return {
    id: 'V1StGXR8_Z5jdHi6B-myT',
    timestamp: new Date('2026-11-27T12:00:00Z'),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web', clientVersion: undefined },
    sessionId: 'S1StGXR8_Z5jdHi6B-myT',
    parameters: { version: 0, ...parameters },
    ...rest,
  } as unknown as TelemetryEvent
}

describe("an unload's copy of an event not judged yet", () => {
  it('scrubs every string and key, wherever it is, and keeps the time a Date', () => {
    const entry = scrubbedEntry(
      event(
        {
          metadata: { 'secret.count': 1, text: 'a secret' },
          privateMetadata: { q: 'my secret', nested: [{ 'the secret': ['secret', 2, null] }] },
        },
        { feature: 'secret' },
      ),
      scrub,
    )
    expect(entry).toBeDefined()
    expect(JSON.stringify(entry)).not.toContain('secret')
    expect(entry?.event.feature).toBe('[gone]')
    expect(entry?.event.parameters.privateMetadata).toEqual({
      q: 'my [gone]',
      nested: [{ 'the [gone]': ['[gone]', 2, null] }],
    })
    expect(entry?.event.timestamp).toEqual(new Date('2026-11-27T12:00:00Z'))
    expect(entry?.bytes).toBeGreaterThan(JSON.stringify(entry?.event.parameters).length / 2)
  })

  it('copies, so that the original is left as it was', () => {
    const given = event({ privateMetadata: { q: 'secret' } })
    scrubbedEntry(given, scrub)
    expect(given.parameters.privateMetadata).toEqual({ q: 'secret' })
  })

  it.each([
    ['a function', { privateMetadata: { f: () => 1 } }],
    ['a class instance', { privateMetadata: { at: new Date() } }],
    ['a __proto__ key', { privateMetadata: JSON.parse('{"__proto__": {"x": 1}}') as object }],
    ['more text than any valid event', { privateMetadata: { q: 'x'.repeat(2 ** 16) } }],
    ['an array past the node bound', { privateMetadata: { list: new Array(1e8) } }],
    [
      'nesting past the depth bound',
      { privateMetadata: JSON.parse('['.repeat(20) + ']'.repeat(20)) as object },
    ],
  ])('refuses %s, which validation would refuse too, without scrubbing it', (_, parameters) => {
    let scrubbed = 0
    const counting = (value: string) => {
      scrubbed += value.length
      return value
    }
    expect(scrubbedEntry(event(parameters), counting)).toBeUndefined()
    expect(scrubbed).toBeLessThanOrEqual(2 * limits.maxPrivateMetadataBytes)
  })

  it('refuses an event without a Date for its time, or whose reading throws', () => {
    expect(scrubbedEntry(event({}, { timestamp: '2026-11-27' }), scrub)).toBeUndefined()
    const hostile = event({})
    Object.defineProperty(hostile.parameters, 'metadata', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    expect(scrubbedEntry(hostile, scrub)).toBeUndefined()
  })
})
