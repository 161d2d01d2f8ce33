import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../../../src/protocol/backoff.js'
import { classifyResponse } from '../../../src/client/transport/classify.js'
import type { SendResult } from '../../../src/client/transport/transport.js'

const now = Date.parse('2026-11-27T12:00:00Z')

const acks = JSON.stringify({
  accepted: ['event-0001', 'event-0002'],
  rejected: [{ id: 'event-0003', reason: 'feature: not a name' }],
})

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } })

describe('classifyResponse: 2xx', () => {
  it.each([200, 201, 204])('%i with {accepted, rejected} → success with those ids', status => {
    expect(classifyResponse(status, null, acks, now)).toEqual({
      type: 'success',
      accepted: ['event-0001', 'event-0002'],
      rejected: [{ id: 'event-0003', reason: 'feature: not a name' }],
    })
  })

  it.each([200, 201, 204])('%i with accepted only → success with nothing rejected', status => {
    const body = JSON.stringify({ accepted: ['event-0001'] })
    expect(classifyResponse(status, null, body, now)).toEqual({
      type: 'success',
      accepted: ['event-0001'],
      rejected: [],
    })
  })

  it.each([
    [200, ''],
    [204, ''],
    [200, 'OK'],
    [200, '<html>proxy</html>'],
    [200, 'null'],
    [200, '[]'],
    [200, '"accepted"'],
    [201, '{}'],
    [200, JSON.stringify({ rejected: [] })],
    [200, JSON.stringify({ accepted: 'event-0001' })],
    [200, JSON.stringify({ accepted: ['event-0001', 7] })],
  ])('%i with an unreadable body %j → retryable, never a silent loss', (status, body) => {
    const result = classifyResponse(status, null, body, now)
    expect(result.type).toBe('retryable')
    expect(result).toHaveProperty('reason', `HTTP ${status} with an unreadable body`)
  })

  it('ignores Retry-After on a success', () => {
    expect(classifyResponse(200, '30', acks, now)).not.toHaveProperty('retryAfterMs')
  })

  it('skips rejected entries that carry no string id, and names a missing reason', () => {
    const body = JSON.stringify({
      accepted: [],
      rejected: [
        { id: 'event-0001' },
        { id: 'event-0002', reason: 42 },
        { id: 7, reason: 'numeric id' },
        { reason: 'no id at all' },
        null,
        'event-0003',
        { id: 'event-0004', reason: 'too big' },
      ],
    })
    expect(classifyResponse(200, null, body, now)).toEqual({
      type: 'success',
      accepted: [],
      rejected: [
        { id: 'event-0001', reason: 'rejected' },
        { id: 'event-0002', reason: 'rejected' },
        { id: 'event-0004', reason: 'too big' },
      ],
    })
  })

  it('treats a rejected field that is not an array as nothing rejected', () => {
    const body = JSON.stringify({ accepted: ['event-0001'], rejected: { id: 'event-0002' } })
    expect(classifyResponse(200, null, body, now)).toEqual({
      type: 'success',
      accepted: ['event-0001'],
      rejected: [],
    })
  })
})

describe('classifyResponse: failures', () => {
  const table: [status: number, type: SendResult['type']][] = [
    [400, 'rejected'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'rejected'],
    [408, 'retryable'],
    [409, 'rejected'],
    [413, 'too-large'],
    [415, 'rejected'],
    [422, 'rejected'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
  ]

  it.each(table)('%i → %s', (status, type) => {
    expect(classifyResponse(status, null, '', now)).toEqual({ type, reason: `HTTP ${status}` })
  })

  it.each(table.filter(([, type]) => type === 'retryable'))('%i honours Retry-After', status => {
    expect(classifyResponse(status, '7', '', now)).toEqual({
      type: 'retryable',
      reason: `HTTP ${status}`,
      retryAfterMs: 7_000,
    })
  })

  it.each(table.filter(([, type]) => type !== 'retryable'))(
    '%i carries no retryAfterMs even with Retry-After',
    status => {
      expect(classifyResponse(status, '7', '', now)).not.toHaveProperty('retryAfterMs')
    },
  )

  it('leaves retryAfterMs out, rather than undefined, when Retry-After is garbage', () => {
    const result = classifyResponse(503, 'soon', '', now)
    expect(result).toEqual({ type: 'retryable', reason: 'HTTP 503' })
    expect(Object.keys(result)).not.toContain('retryAfterMs')
  })

  it.each([
    [400, 'rejected'],
    [401, 'unauthorized'],
    [413, 'too-large'],
    [422, 'rejected'],
    [503, 'retryable'],
  ] as const)('%i puts the error message of an { error } body into the reason', (status, type) => {
    const body = errorBody('bad_request', 'events must be an array')
    expect(classifyResponse(status, null, body, now)).toEqual({
      type,
      reason: `HTTP ${status}: events must be an array`,
    })
  })

  it('cuts a long error message to 200 characters', () => {
    const result = classifyResponse(400, null, errorBody('bad', 'x'.repeat(5_000)), now)
    expect(result).toEqual({ type: 'rejected', reason: `HTTP 400: ${'x'.repeat(200)}` })
  })

  it.each([
    ['not JSON', '<html>Bad Gateway</html>'],
    ['null', 'null'],
    ['an error without a message', JSON.stringify({ error: { code: 'x' } })],
    ['a numeric message', JSON.stringify({ error: { code: 'x', message: 42 } })],
    ['an error that is a string', JSON.stringify({ error: 'nope' })],
    ['an error that is null', JSON.stringify({ error: null })],
  ])('keeps the bare status as the reason for a body that is %s', (_, body) => {
    expect(classifyResponse(400, null, body, now)).toEqual({ type: 'rejected', reason: 'HTTP 400' })
  })
})

describe('parseRetryAfter', () => {
  it('treats a missing header as absent', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it.each([
    ['2', 2_000],
    ['0', 0],
    [' 120 ', 120_000],
    ['3600', 3_600_000],
  ])('reads delay-seconds %j as %i ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms)
  })

  it('reads an IMF-fixdate in the future as the ms until then', () => {
    const header = new Date(now + 90_000).toUTCString()
    expect(header).toMatch(/GMT$/)
    expect(parseRetryAfter(header, now)).toBe(90_000)
  })

  it('reads the obsolete RFC 850 and asctime forms too', () => {
    const at = Date.parse('1994-11-06T08:49:37Z')
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', at - 5_000)).toBe(5_000)
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', at - 5_000)).toBe(5_000)
  })

  it('reads an HTTP-date in the past as 0: retry now, not never', () => {
    expect(parseRetryAfter(new Date(now - 60_000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(0)
  })

  // Date.parse reads "-1", "1.5", "+5" or "12 3" as days in 2001; none of them is an HTTP-date.
  it.each(['soon', '-1', '1.5', '+5', '1e3', '0x10', '12 3', '', '   ', 'May 5', '2026-11-28'])(
    'treats garbage %j as absent',
    header => {
      expect(parseRetryAfter(header, now)).toBeUndefined()
    },
  )

  it('treats a garbage header as absent even for a clock far in the past', () => {
    expect(parseRetryAfter('-1', 0)).toBeUndefined()
    expect(parseRetryAfter('1.5', 0)).toBeUndefined()
  })
})
