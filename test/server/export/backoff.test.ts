import { describe, expect, it } from 'vitest'
import {
  maxRetryAfterMs,
  parseRetryAfter,
  retryDelayMs,
} from '../../../src/server/export/backoff.js'

const policy = { initialRetryDelayMs: 1_000, maxRetryDelayMs: 600_000 }

describe('retryDelayMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [5, 16_000],
    [10, 512_000],
    [11, 600_000],
    [60, 600_000],
  ])(
    'draws below a ceiling that doubles each attempt and stops at the cap (attempt %i)',
    (attempt, ceiling) => {
      expect(retryDelayMs(attempt, policy, undefined, () => 0.999999)).toBe(
        Math.floor(0.999999 * ceiling),
      )
      expect(retryDelayMs(attempt, policy, undefined, () => 0)).toBe(0)
    },
  )

  it('waits at least as long as Retry-After asks', () => {
    expect(retryDelayMs(1, policy, 30_000, () => 0.5)).toBe(30_000)
    expect(retryDelayMs(12, policy, 30_000, () => 0.5)).toBe(300_000)
  })

  it('bounds a Retry-After that asks for too long', () => {
    expect(retryDelayMs(1, policy, 10 * 24 * 3_600_000, () => 0)).toBe(maxRetryAfterMs)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0)
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 01 May 2024 12:00:30 GMT', 30_000],
    ['Wed, 01 May 2024 11:00:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['12 3', undefined],
  ])('reads %j as %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })
})
