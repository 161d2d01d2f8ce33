import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  acknowledgement,
  errorBody,
  failureReason,
  maxAnswerIds,
  maxReasonLength,
  parseAcknowledgement,
  parseErrorBody,
} from '../../src/protocol/answers.js'

const json = (value: unknown) => JSON.stringify(value)

describe('parseAcknowledgement', () => {
  it('reads what the builder writes', () => {
    const body = acknowledgement(['a', 'b'], [{ id: 'c', reason: 'feature: not a name' }])
    expect(parseAcknowledgement(json(body))).toEqual(body)
  })

  it('reads a missing or non-array rejected as nothing rejected', () => {
    for (const rejected of [undefined, null, 'c', { id: 'c' }, 3]) {
      expect(parseAcknowledgement(json({ accepted: ['a'], rejected }))).toEqual({
        accepted: ['a'],
        rejected: [],
      })
    }
  })

  it('skips rejected entries without a string id and names a missing reason', () => {
    const rejected = [
      { id: 'a' },
      { id: 'b', reason: 42 },
      { id: 7, reason: 'numeric id' },
      { reason: 'no id' },
      null,
      'c',
      [],
      { id: 'd', reason: 'too big' },
    ]
    expect(parseAcknowledgement(json({ accepted: [], rejected }))).toEqual({
      accepted: [],
      rejected: [
        { id: 'a', reason: 'rejected' },
        { id: 'b', reason: 'rejected' },
        { id: 'd', reason: 'too big' },
      ],
    })
  })

  it('cuts a long reason', () => {
    const result = parseAcknowledgement(
      json({ accepted: [], rejected: [{ id: 'a', reason: 'r'.repeat(10_000) }] }),
    )
    expect(result?.rejected[0]?.reason).toBe('r'.repeat(maxReasonLength))
  })

  it.each([
    ['an empty body', ''],
    ['text', 'OK'],
    ['HTML from a proxy', '<html>Bad Gateway</html>'],
    ['truncated JSON', '{"accepted":["a"'],
    ['null', 'null'],
    ['an array', '["a"]'],
    ['a string', '"accepted"'],
    ['a number', '200'],
    ['an object without accepted', '{}'],
    ['rejected alone', json({ rejected: [{ id: 'a', reason: 'no' }] })],
    ['accepted as a string', json({ accepted: 'a' })],
    ['accepted as an object', json({ accepted: { 0: 'a' } })],
    ['accepted holding a number', json({ accepted: ['a', 7] })],
    ['accepted holding null', json({ accepted: ['a', null] })],
    ['accepted holding an object', json({ accepted: ['a', { id: 'b' }] })],
  ])('refuses %s', (_name, text) => {
    expect(parseAcknowledgement(text)).toBeUndefined()
  })

  it('refuses an answer naming more ids than any batch holds, accepted and rejected together', () => {
    const ids = Array.from({ length: maxAnswerIds / 2 + 1 }, (_, index) => `id-${index}`)
    expect(parseAcknowledgement(json({ accepted: ids, rejected: [] }))?.accepted).toEqual(ids)
    const answer = { accepted: ids, rejected: ids.map(id => ({ id, reason: 'no' })) }
    expect(parseAcknowledgement(json(answer))).toBeUndefined()
  })

  it('refuses a million-entry array', () => {
    const text = `{"accepted":[${'0,'.repeat(1_000_000)}0]}`
    expect(parseAcknowledgement(text)).toBeUndefined()
  })

  it('never throws, and on success holds only strings, for any JSON a peer may send', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map(json),
          fc.record({ accepted: fc.jsonValue(), rejected: fc.jsonValue() }).map(json),
          fc.string(),
        ),
        text => {
          const result = parseAcknowledgement(text)
          if (!result) return
          expect(result.accepted.every(id => typeof id === 'string')).toBe(true)
          for (const { id, reason } of result.rejected) {
            expect(typeof id).toBe('string')
            expect(typeof reason).toBe('string')
          }
        },
      ),
      { numRuns: 1_000 },
    )
  })
})

describe('parseErrorBody', () => {
  it('reads what the builder writes', () => {
    const body = errorBody('rate-limited', 'more than 60000 events a minute')
    expect(parseErrorBody(json(body))).toEqual(body)
  })

  it('reads a code Tally does not know, from another peer', () => {
    const body = { error: { code: 'quota_exceeded', message: 'later' } }
    expect(parseErrorBody(json(body))).toEqual(body)
  })

  it('cuts a long message to 200 characters and a long code to 64', () => {
    const result = parseErrorBody(
      json({ error: { code: 'c'.repeat(1_000), message: 'm'.repeat(5_000) } }),
    )
    expect(result).toEqual({ error: { code: 'c'.repeat(64), message: 'm'.repeat(200) } })
  })

  it.each([
    ['an empty body', ''],
    ['HTML', '<html>Bad Gateway</html>'],
    ['null', 'null'],
    ['an array', '[]'],
    ['an object without error', '{}'],
    ['an error that is a string', json({ error: 'nope' })],
    ['an error that is null', json({ error: null })],
    ['an error without a message', json({ error: { code: 'x' } })],
    ['an error without a code', json({ error: { message: 'x' } })],
    ['a numeric message', json({ error: { code: 'x', message: 42 } })],
    ['a numeric code', json({ error: { code: 400, message: 'x' } })],
  ])('refuses %s', (_name, text) => {
    expect(parseErrorBody(text)).toBeUndefined()
  })

  it('never throws, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map(json)), text => {
        expect(() => parseErrorBody(text)).not.toThrow()
      }),
      { numRuns: 1_000 },
    )
  })
})

describe('failureReason', () => {
  it('puts the message of an error body after the status', () => {
    expect(failureReason(429, json(errorBody('rate-limited', 'slow down')))).toBe(
      'HTTP 429: slow down',
    )
  })

  it('keeps the bare status for a body that is not an error body', () => {
    expect(failureReason(502, '<html>Bad Gateway</html>')).toBe('HTTP 502')
  })
})
