import { describe, expect, it } from 'vitest'
import { defaultScrubRules } from '../../src/protocol/scrub-rules.js'
import { createScrubber } from '../../src/protocol/scrub.js'
import { validateEvent } from '../../src/protocol/validate.js'

const scrub = createScrubber(defaultScrubRules)
const email = 'alice@example.com'

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

describe('validateEvent with a scrubber', () => {
  it('scrubs every string and key of privateMetadata, at any depth', () => {
    const result = validateEvent(
      event({ query: `mail ${email}`, [email]: 1, nested: { list: [[`to ${email}`]] } }),
      { scrub },
    )
    expect(result.valid).toBe(true)
    expect(JSON.stringify(result)).not.toContain(email)
  })

  it('leaves the caller’s object untouched', () => {
    const privateMetadata = { query: `mail ${email}` }
    validateEvent(event(privateMetadata), { scrub })
    expect(privateMetadata.query).toBe(`mail ${email}`)
  })

  it('refuses a key that a rule turns into a reserved name', () => {
    const toProto = createScrubber([
      {
        name: 'proto',
        description: 'A careless rule.',
        pattern: /^evil$/g,
        replace: 'constructor',
      },
    ])
    const result = validateEvent(event({ evil: 1 }), { scrub: toProto })
    expect(result).toMatchObject({
      valid: false,
      problems: [
        { path: 'parameters.privateMetadata', reason: 'must not use the key constructor' },
      ],
    })
  })

  it('does not scrub names, ids or numeric metadata, which the rules of the event govern', () => {
    const result = validateEvent(event({ n: 1 }), { scrub: () => 'x' })
    expect(result).toMatchObject({
      valid: true,
      event: { feature: 'search', parameters: { privateMetadata: { x: 1 } } },
    })
  })
})
