import { describe, expect, it, vi } from 'vitest'
import { limits } from '../../src/protocol/event.js'
import { defaultScrubRules } from '../../src/protocol/scrub-rules.js'
import { createScrubber } from '../../src/protocol/scrub.js'
import { validateEvent } from '../../src/protocol/validate.js'

const pm = 'parameters.privateMetadata'

function event(privateMetadata: unknown) {
  return {
    id: 'V1StGXR8_Z5jdHi6B-myT',
    timestamp: new Date('2026-11-27T12:00:00Z'),
    feature: 'search',
    action: 'submitted',
    source: { client: 'web' },
    sessionId: 'Uakgb_J5m9g-0JDMbcJqL',
    parameters: { version: 1, privateMetadata },
  }
}

/** A scrubber that records what it was asked to scrub and changes nothing. */
function spyScrubber() {
  return vi.fn((value: string) => value)
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf'
  for (let level = 0; level < depth; level++) value = { inner: value }
  return value
}

describe('validateEvent checks every bound of privateMetadata before it scrubs', () => {
  it.each([
    ['one string past the limit', { q: 'x'.repeat(limits.maxPrivateMetadataBytes + 1) }],
    ['one string far past the limit', { q: 'x'.repeat(limits.maxPrivateMetadataBytes * 40) }],
    ['many strings past the limit together', { list: Array(2000).fill('x'.repeat(20)) }],
    [
      'keys past the limit together',
      Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key${i}`, 1])),
    ],
    ['nesting past the depth limit', nested(limits.maxPrivateMetadataDepth + 1)],
    ['a value that is not JSON', { when: new Date(0), q: 'token=abc' }],
    ['a reserved key', JSON.parse('{"q":"token=abc","__proto__":1}') as unknown],
  ])('refuses %s without calling the scrubber', (_name, privateMetadata) => {
    const scrub = spyScrubber()
    const result = validateEvent(event(privateMetadata), { scrub })
    expect(result.valid).toBe(false)
    expect(scrub).not.toHaveBeenCalled()
  })

  it('names the exact size of a value just past the limit, and the limit', () => {
    const scrub = spyScrubber()
    const privateMetadata = { q: 'x'.repeat(limits.maxPrivateMetadataBytes) }
    expect(validateEvent(event(privateMetadata), { scrub })).toEqual({
      valid: false,
      problems: [
        {
          path: pm,
          reason: `is ${limits.maxPrivateMetadataBytes + 8} bytes encoded; the limit is ${limits.maxPrivateMetadataBytes}`,
        },
      ],
    })
    expect(scrub).not.toHaveBeenCalled()
  })

  it('refuses a value past the limit even when scrubbing would have shrunk it', () => {
    const key =
      '-----BEGIN PRIVATE KEY-----\n' +
      'A'.repeat(limits.maxPrivateMetadataBytes) +
      '\n-----END PRIVATE KEY-----'
    const result = validateEvent(event({ key }), { scrub: createScrubber(defaultScrubRules) })
    expect(result).toMatchObject({ valid: false, problems: [{ path: pm }] })
  })

  it('still refuses a value that scrubbing grows past the limit', () => {
    // Each address is 6 characters and becomes the 16 of [redacted:email].
    const count = Math.floor(limits.maxPrivateMetadataBytes / 10)
    const privateMetadata = { list: Array<string>(count).fill('a@b.co') }
    expect(validateEvent(event(privateMetadata)).valid).toBe(true)
    const result = validateEvent(event(privateMetadata), {
      scrub: createScrubber(defaultScrubRules),
    })
    expect(result).toMatchObject({ valid: false, problems: [{ path: pm }] })
  })

  it('scrubs a value within the limit, keys and strings at every depth', () => {
    const scrub = spyScrubber()
    const result = validateEvent(event({ a: ['b', { c: 'd' }], e: 1 }), { scrub })
    expect(result.valid).toBe(true)
    expect(scrub.mock.calls.map(([value]) => value).sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})

describe('an Authorization header followed by a long run of spaces (issue 11)', () => {
  const scrub = createScrubber(defaultScrubRules)
  const validate = (privateMetadata: unknown) => validateEvent(event(privateMetadata), { scrub })

  // It took 4 to 8 s before the bounds came first and the rule stopped backtracking. How long it
  // takes now is the business of bench and of the ratio test (scrub-linear.test.ts), not of a
  // timed assertion on a shared machine.
  it('is refused at 48,000 spaces, past the size limit', () => {
    const result = validate({ header: 'authorization:' + ' '.repeat(48_000) })
    expect(result).toMatchObject({ valid: false, problems: [{ path: pm }] })
  })

  it('is scrubbed at 16,000 spaces, within the size limit, and left as it was', () => {
    const header = 'authorization:' + ' '.repeat(16_000)
    expect(validate({ header })).toMatchObject({
      valid: true,
      event: { parameters: { privateMetadata: { header } } },
    })
  })
})
