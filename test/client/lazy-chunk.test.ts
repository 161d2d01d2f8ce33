import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { lazyChunk } from '../../src/client/lazy-chunk.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A fetch that fails `failures` times, then gives 'code'; counts its calls. */
function flakyFetch(failures: number) {
  let calls = 0
  const fetch = () => {
    calls++
    return calls <= failures ? Promise.reject(new Error(`404 (${calls})`)) : Promise.resolve('code')
  }
  return { fetch, calls: () => calls }
}

describe('a lazily loaded chunk', () => {
  it('is fetched once and kept, however many ask at once or later', async () => {
    const source = flakyFetch(0)
    const chunk = lazyChunk(source.fetch)
    expect(chunk.now()).toBeUndefined()
    await expect(Promise.all([chunk.load(), chunk.load()])).resolves.toEqual(['code', 'code'])
    await expect(chunk.load()).resolves.toBe('code')
    expect(chunk.now()).toBe('code')
    expect(source.calls()).toBe(1)
  })

  it('after a failed fetch, refuses at once until a wait that doubles from 1 s has passed', async () => {
    const source = flakyFetch(3)
    const chunk = lazyChunk(source.fetch)
    await expect(chunk.load()).rejects.toThrow('404 (1)')
    // Every write of a page that records on asks again: none of them fetches yet.
    for (let i = 0; i < 10; i++) await expect(chunk.load()).rejects.toThrow(/next try in/)
    expect(source.calls()).toBe(1)
    vi.advanceTimersByTime(1_000)
    await expect(chunk.load()).rejects.toThrow('404 (2)')
    vi.advanceTimersByTime(1_999)
    await expect(chunk.load()).rejects.toThrow(/next try in 1 ms/)
    vi.advanceTimersByTime(1)
    await expect(chunk.load()).rejects.toThrow('404 (3)')
    vi.advanceTimersByTime(4_000)
    await expect(chunk.load()).resolves.toBe('code')
    expect(source.calls()).toBe(4)
  })

  it('waits 5 minutes at most between fetches', async () => {
    const source = flakyFetch(20)
    const chunk = lazyChunk(source.fetch)
    for (let failure = 1; failure <= 12; failure++) {
      await expect(chunk.load()).rejects.toThrow(`404 (${failure})`)
      vi.advanceTimersByTime(Math.min(1_000 * 2 ** (failure - 1), 300_000))
    }
    expect(source.calls()).toBe(12)
  })

  it('takes what a build that inlines the chunk provides, without fetching', async () => {
    const source = flakyFetch(0)
    const chunk = lazyChunk(source.fetch)
    chunk.provide('inlined')
    expect(chunk.now()).toBe('inlined')
    await expect(chunk.load()).resolves.toBe('inlined')
    expect(source.calls()).toBe(0)
  })
})
