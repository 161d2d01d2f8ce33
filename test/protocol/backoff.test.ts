import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maxRetryAfterMs, retryDelayMs, type BackoffPolicy } from '../../src/protocol/backoff.js'

/** The client's defaults: full jitter from 1 s, ×2, cap 5 min. */
const policy: BackoffPolicy = { initialRetryDelayMs: 1_000, maxRetryDelayMs: 5 * 60_000 }

const always = (value: number) => () => value

describe('full jitter', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [9, 256_000],
  ])('draws retry %i uniformly below a ceiling of %i ms', (attempt, ceiling) => {
    expect(retryDelayMs(attempt, policy, undefined, always(0))).toBe(0)
    expect(retryDelayMs(attempt, policy, undefined, always(0.5))).toBe(ceiling / 2)
    const highest = retryDelayMs(attempt, policy, undefined, always(0.999))
    expect(highest).toBe(Math.floor(0.999 * ceiling))
    expect(highest).toBeLessThan(ceiling)
  })

  it('treats attempt 0 like the first retry', () => {
    expect(retryDelayMs(0, policy, undefined, always(0.5))).toBe(500)
  })

  it.each([10, 11, 30, 1_100, 10_000])(
    'caps the ceiling at maxRetryDelayMs by retry %i',
    attempt => {
      expect(retryDelayMs(attempt, policy, undefined, always(0.5))).toBe(150_000)
      expect(retryDelayMs(attempt, policy, undefined, always(0.999))).toBe(299_700)
    },
  )

  it('returns whole milliseconds', () => {
    expect(
      retryDelayMs(1, { initialRetryDelayMs: 3, maxRetryDelayMs: 10 }, undefined, always(0.5)),
    ).toBe(1)
  })

  it('uses Math.random when no random is given, staying within the ceiling', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(3, policy, undefined)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(4_000)
    }
  })
})

describe('Retry-After', () => {
  it('is a floor: a jitter below it waits for it', () => {
    expect(retryDelayMs(1, policy, 30_000, always(0))).toBe(30_000)
    expect(retryDelayMs(1, policy, 30_000, always(0.999))).toBe(30_000)
  })

  it('does not shorten a jitter above it', () => {
    expect(retryDelayMs(10, policy, 2_000, always(0.5))).toBe(150_000)
  })

  it('may exceed maxRetryDelayMs: the backend asked for it', () => {
    expect(retryDelayMs(1, policy, 20 * 60_000, always(0.5))).toBe(20 * 60_000)
  })

  it('is capped at maxRetryAfterMs, so a wrong header cannot stall a client for days', () => {
    expect(maxRetryAfterMs).toBe(60 * 60_000)
    expect(retryDelayMs(1, policy, 3 * 24 * 60 * 60_000, always(0))).toBe(maxRetryAfterMs)
    expect(retryDelayMs(1, policy, Number.POSITIVE_INFINITY, always(0))).toBe(maxRetryAfterMs)
  })

  it.each([Number.NaN, -1, -60_000, 0, Number.NEGATIVE_INFINITY])(
    'ignores a nonsense value %d and uses the jitter alone',
    retryAfterMs => {
      expect(retryDelayMs(3, policy, retryAfterMs, always(0.5))).toBe(2_000)
      expect(retryDelayMs(3, policy, retryAfterMs, always(0))).toBe(0)
    },
  )
})

describe('retryDelayMs, for any input', () => {
  it('stays within [0, max(cap, Retry-After capped)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 10 * 60_000 }),
        fc.integer({ min: 0, max: 60 * 60_000 }),
        fc.option(fc.double({ min: -1e12, max: 1e12 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialRetryDelayMs, extra, retryAfterMs, random) => {
          const maxRetryDelayMs = initialRetryDelayMs + extra
          const delay = retryDelayMs(
            attempt,
            { initialRetryDelayMs, maxRetryDelayMs },
            retryAfterMs,
            () => random,
          )
          const floor =
            retryAfterMs !== undefined && retryAfterMs > 0
              ? Math.min(retryAfterMs, maxRetryAfterMs)
              : 0
          expect(Number.isFinite(delay)).toBe(true)
          expect(delay).toBeGreaterThanOrEqual(floor)
          expect(delay).toBeLessThanOrEqual(Math.max(maxRetryDelayMs, floor))
        },
      ),
      { numRuns: 1_000 },
    )
  })
})
