import { describe, expect, it } from 'vitest'
import { PendingBuffer } from '../../src/client/pending-buffer.js'
import type { StoredEvent } from '../../src/client/stores/event-store.js'
import { storedEvent } from '../support/events.js'

const timestamp = new Date('2026-11-27T12:00:00Z')

function stored(id: string): StoredEvent {
  return storedEvent(id, 120, { timestamp })
}

const ids = (entries: readonly StoredEvent[]) => entries.map(entry => entry.event.id)

function filled(maxEvents: number, count: number, prefix = 'e'): PendingBuffer {
  const buffer = new PendingBuffer(maxEvents)
  for (let i = 0; i < count; i++) buffer.push(stored(`${prefix}${String(i)}`))
  return buffer
}

describe('PendingBuffer.push', () => {
  it('keeps events up to the bound without dropping', () => {
    const buffer = new PendingBuffer(3)
    expect(buffer.push(stored('e0'))).toBe(0)
    expect(buffer.push(stored('e1'))).toBe(0)
    expect(buffer.push(stored('e2'))).toBe(0)
    expect(buffer.length).toBe(3)
  })

  it('drops the oldest past the bound and says so', () => {
    const buffer = filled(3, 3)
    expect(buffer.push(stored('e3'))).toBe(1)
    expect(buffer.push(stored('e4'))).toBe(1)
    expect(buffer.length).toBe(3)
    expect(ids(buffer.take())).toEqual(['e2', 'e3', 'e4'])
  })

  it('with a bound of one keeps only the newest', () => {
    const buffer = new PendingBuffer(1)
    expect(buffer.push(stored('e0'))).toBe(0)
    expect(buffer.push(stored('e1'))).toBe(1)
    expect(ids(buffer.take())).toEqual(['e1'])
  })
})

describe('PendingBuffer.take', () => {
  it('returns everything oldest first and empties the buffer', () => {
    const buffer = filled(10, 4)
    expect(ids(buffer.take())).toEqual(['e0', 'e1', 'e2', 'e3'])
    expect(buffer.length).toBe(0)
    expect(buffer.take()).toEqual([])
  })

  it('returns only the survivors after drops', () => {
    const buffer = filled(2, 5)
    expect(ids(buffer.take())).toEqual(['e3', 'e4'])
  })

  it('hands over an array that later pushes do not change', () => {
    const buffer = filled(10, 2)
    const taken = buffer.take()
    buffer.push(stored('later'))
    expect(ids(taken)).toEqual(['e0', 'e1'])
    expect(ids(buffer.take())).toEqual(['later'])
  })

  it('keeps the order across the internal compaction of dropped entries', () => {
    const buffer = filled(1_000, 5_000)
    const taken = ids(buffer.take())
    expect(taken).toHaveLength(1_000)
    expect(taken[0]).toBe('e4000')
    expect(taken.at(-1)).toBe('e4999')
  })
})

describe('PendingBuffer.peek', () => {
  it('shows everything oldest first and leaves it in place', () => {
    const buffer = filled(3, 5)
    expect(ids(buffer.peek())).toEqual(['e2', 'e3', 'e4'])
    expect(buffer.length).toBe(3)
    expect(ids(buffer.take())).toEqual(['e2', 'e3', 'e4'])
  })

  it('hands over a copy that later pushes and takes do not change', () => {
    const buffer = filled(10, 2)
    const seen = buffer.peek()
    buffer.push(stored('later'))
    buffer.take()
    expect(ids(seen)).toEqual(['e0', 'e1'])
  })
})

describe('PendingBuffer.restore', () => {
  it('puts a failed chunk back ahead of newer events', () => {
    const buffer = new PendingBuffer(10)
    const chunk = [stored('old0'), stored('old1')]
    buffer.push(stored('new0'))
    expect(buffer.restore(chunk)).toBe(0)
    expect(buffer.length).toBe(3)
    expect(ids(buffer.take())).toEqual(['old0', 'old1', 'new0'])
  })

  it('into an empty buffer restores the chunk as it was', () => {
    const buffer = new PendingBuffer(10)
    expect(buffer.restore([stored('old0'), stored('old1')])).toBe(0)
    expect(ids(buffer.take())).toEqual(['old0', 'old1'])
  })

  it('stays within the bound, dropping the oldest and saying how many', () => {
    const buffer = filled(4, 3, 'new')
    const chunk = [stored('old0'), stored('old1'), stored('old2')]
    expect(buffer.restore(chunk)).toBe(2)
    expect(buffer.length).toBe(4)
    expect(ids(buffer.take())).toEqual(['old2', 'new0', 'new1', 'new2'])
  })

  it('keeps accepting pushes afterwards, within the bound', () => {
    const buffer = filled(3, 1, 'new')
    buffer.restore([stored('old0'), stored('old1')])
    expect(buffer.push(stored('newer'))).toBe(1)
    expect(ids(buffer.take())).toEqual(['old1', 'new0', 'newer'])
  })

  it('does not alter the chunk it was given', () => {
    const buffer = filled(2, 2, 'new')
    const chunk = [stored('old0'), stored('old1')]
    buffer.restore(chunk)
    expect(ids(chunk)).toEqual(['old0', 'old1'])
  })
})

describe('PendingBuffer under a flood', () => {
  it('takes 100k pushes into a 10k buffer without an O(n) shift per drop', () => {
    const buffer = new PendingBuffer(10_000)
    const events = Array.from({ length: 100_000 }, (_, i) => stored(`e${String(i)}`))
    const started = performance.now()
    let dropped = 0
    for (const event of events) dropped += buffer.push(event)
    const elapsedMs = performance.now() - started

    expect(dropped).toBe(90_000)
    expect(buffer.length).toBe(10_000)
    const taken = ids(buffer.take())
    expect(taken[0]).toBe('e90000')
    expect(taken.at(-1)).toBe('e99999')
    // A shift per drop costs ~10k moves × 90k drops; a moving head is a few ms. Generous on purpose.
    expect(elapsedMs).toBeLessThan(2_000)
  })
})
