import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TallyError } from '../../../src/client/errors/tally-error.js'
import { createSender, type SenderDependencies } from '../../../src/client/sender/sender.js'
import { createCounters } from '../../../src/client/stats.js'
import { createMemoryStore } from '../../../src/client/stores/memory-store.js'
import { acceptAll, createTestTransport } from '../../../src/client/transport/test-transport.js'
import type { SendResult } from '../../../src/client/transport/transport.js'
import { storedEvent } from '../../support/events.js'

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

const flushIntervalMs = 5_000
const maxBatchEvents = 10

/** A sender over a memory store and the test transport; `queue(n)` writes n events as the queue would. */
function harness(overrides: Partial<SenderDependencies> = {}) {
  const store = createMemoryStore({ maxEvents: 1_000, maxBytes: 10_000_000 })
  const transport = createTestTransport()
  const counters = createCounters()
  const errors: TallyError[] = []
  let accessToken = 'first'
  let written = 0
  const sender = createSender({
    store,
    transport,
    counters,
    report: error => errors.push(error),
    credentials: () => ({ accessToken }),
    now: () => Date.now(),
    options: {
      flushIntervalMs,
      initialRetryDelayMs: 1_000,
      maxRetryDelayMs: 300_000,
      maxBatchEvents,
      maxBatchBytes: 1_000_000,
    },
    enabled: () => true,
    turnedOff: () => {},
    onRemoved: () => {},
    lock: undefined,
    isOnline: () => true,
    // The jittered delay is then half its ceiling: 500 ms for the first retry.
    random: () => 0.5,
    ...overrides,
  })
  const queue = async (count: number) => {
    const entries = Array.from({ length: count }, () => storedEvent(`event-${written++}`))
    sender.stored((await store.append(entries)).count)
  }
  const sentIds = () => transport.events.map(event => event.id)
  return {
    sender,
    store,
    transport,
    counters,
    errors,
    queue,
    sentIds,
    setToken: (token: string) => {
      accessToken = token
    },
  }
}

const settle = () => vi.advanceTimersByTimeAsync(0)

describe('idle and scheduled', () => {
  it('starts idle, with no timer', () => {
    const { sender } = harness()
    expect(sender.state()).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('goes from idle to scheduled on a partial batch, and sends it after flushIntervalMs', async () => {
    const { sender, queue, transport, counters } = harness()
    await queue(3)
    expect(sender.state()).toBe('scheduled')
    expect(sender.count()).toBe(3)
    await vi.advanceTimersByTimeAsync(flushIntervalMs - 1)
    expect(transport.batches).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(1)
    expect(transport.events).toHaveLength(3)
    expect(counters.sent).toBe(3)
    expect(sender.count()).toBe(0)
    expect(sender.state()).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('goes from scheduled to sending at once when a full batch waits', async () => {
    const { sender, queue, transport } = harness()
    await queue(4)
    expect(sender.state()).toBe('scheduled')
    await queue(maxBatchEvents - 4)
    expect(sender.state()).toBe('sending')
    await settle()
    expect(transport.batches.map(batch => batch.events.length)).toEqual([maxBatchEvents])
    expect(sender.state()).toBe('idle')
  })

  it('sends batch after batch in one drain until the store is empty', async () => {
    const { sender, queue, transport, counters } = harness()
    await queue(25)
    await settle()
    expect(transport.batches.map(batch => batch.events.length)).toEqual([10, 10, 5])
    expect(counters.sent).toBe(25)
    expect(sender.state()).toBe('idle')
  })

  it('sends in the same drain the events written while a batch was in flight', async () => {
    const { sender, queue, transport, sentIds } = harness()
    let release = () => {}
    transport.answerNext(
      batch =>
        new Promise<SendResult>(resolve => {
          release = () => {
            resolve(acceptAll(batch))
          }
        }),
    )
    await queue(1)
    const first = sender.flush()
    expect(sender.state()).toBe('sending')
    await settle()
    await queue(1)
    release()
    await first
    expect(sentIds()).toEqual(['event-0', 'event-1'])
    expect(transport.batches).toHaveLength(2)
    expect(sender.state()).toBe('idle')
  })

  it('schedules the events written after the drain last read the store', async () => {
    const { sender, store, queue, sentIds } = harness()
    const peek = store.peek.bind(store)
    let writeOnEmptyRead = true
    vi.spyOn(store, 'peek').mockImplementation(async (maxEvents, maxBytes) => {
      const batch = await peek(maxEvents, maxBytes)
      if (batch.length === 0 && writeOnEmptyRead) {
        writeOnEmptyRead = false
        await queue(1)
      }
      return batch
    })
    await queue(1)
    await sender.flush()
    expect(sentIds()).toEqual(['event-0'])
    expect(sender.state()).toBe('scheduled')
    expect(sender.count()).toBe(1)
    await vi.advanceTimersByTimeAsync(flushIntervalMs)
    expect(sentIds()).toEqual(['event-0', 'event-1'])
    expect(sender.count()).toBe(0)
  })
})

describe('waiting to retry', () => {
  it.each([
    ['a 503', { type: 'retryable', reason: '503 Service Unavailable', retryAfterMs: 30_000 }],
    ['a 429', { type: 'retryable', reason: '429 Too Many Requests', retryAfterMs: 30_000 }],
  ] as const)('waits out the Retry-After of %s, then sends again', async (_, answer) => {
    const { sender, queue, transport, counters, errors } = harness()
    transport.answerNext(answer)
    await queue(maxBatchEvents)
    await settle()
    expect(sender.state()).toBe('waiting')
    expect(counters.retries).toBe(1)
    expect(counters.sent).toBe(0)
    expect(sender.count()).toBe(maxBatchEvents)
    expect(errors.map(error => error.message)).toEqual([
      expect.stringContaining('retrying in 30000 ms'),
    ])
    await vi.advanceTimersByTimeAsync(30_000 - 1)
    expect(transport.batches).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(2)
    expect(counters.sent).toBe(maxBatchEvents)
    expect(sender.state()).toBe('idle')
  })

  it('backs off with full jitter when no Retry-After is given, doubling each attempt', async () => {
    const { sender, queue, transport } = harness()
    transport.answerNext(
      { type: 'retryable', reason: 'network' },
      { type: 'retryable', reason: 'network' },
    )
    await queue(1)
    await sender.flush()
    // Half of 1 s, then half of 2 s, with random() at 0.5.
    await vi.advanceTimersByTimeAsync(499)
    expect(transport.batches).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(999)
    expect(transport.batches).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(transport.batches).toHaveLength(3)
    expect(sender.state()).toBe('idle')
  })

  it('neither new events nor a plain flush cut the wait short; a forced flush does', async () => {
    const { sender, queue, transport, counters } = harness()
    transport.answerNext({ type: 'retryable', reason: '503', retryAfterMs: 60_000 })
    await queue(1)
    await sender.flush()
    await queue(maxBatchEvents)
    await sender.flush()
    expect(transport.batches).toHaveLength(1)
    expect(sender.state()).toBe('waiting')
    await sender.flush({ force: true })
    // The first attempt's one event, then all eleven.
    expect(transport.events).toHaveLength(1 + 1 + maxBatchEvents)
    expect(counters.sent).toBe(1 + maxBatchEvents)
    expect(sender.state()).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('retries the unanswered part of a batch the backend answered only in part', async () => {
    const { sender, queue, transport, counters } = harness()
    transport.answerNext(batch => ({
      type: 'success',
      accepted: [batch.events[0]?.id ?? ''],
      rejected: [],
    }))
    await queue(3)
    await sender.flush()
    expect(sender.state()).toBe('waiting')
    expect(counters.sent).toBe(1)
    expect(sender.count()).toBe(2)
    await vi.advanceTimersByTimeAsync(500)
    expect(counters.sent).toBe(3)
    expect(sender.count()).toBe(0)
  })
})

describe('paused for credentials', () => {
  it.each(['401 Unauthorized', '403 Forbidden'])(
    'pauses on %s until the credentials change',
    async reason => {
      const { sender, queue, transport, counters, setToken } = harness()
      transport.answerNext({ type: 'unauthorized', reason })
      await queue(maxBatchEvents)
      await settle()
      expect(sender.state()).toBe('paused')
      await queue(maxBatchEvents)
      await sender.flush()
      await vi.advanceTimersByTimeAsync(10 * 60_000)
      expect(transport.batches).toHaveLength(1)
      expect(vi.getTimerCount()).toBe(0)

      setToken('second')
      sender.resume()
      expect(sender.state()).toBe('sending')
      await settle()
      expect(counters.sent).toBe(2 * maxBatchEvents)
      expect(transport.contexts.at(-1)?.accessToken).toBe('second')
      expect(sender.state()).toBe('idle')
    },
  )

  it('ignores resume() when not paused', async () => {
    const { sender, transport } = harness()
    sender.resume()
    await settle()
    expect(sender.state()).toBe('idle')
    expect(transport.batches).toHaveLength(0)
  })
})

describe('stopped', () => {
  it('aborts the send in flight and sends nothing more until start()', async () => {
    const { sender, queue, transport, counters } = harness()
    transport.answerNext(() => new Promise<SendResult>(() => {}))
    await queue(maxBatchEvents)
    await settle()
    expect(sender.state()).toBe('sending')
    sender.stop()
    expect(transport.contexts[0]?.signal?.aborted).toBe(true)
    expect(sender.state()).toBe('stopped')

    await queue(maxBatchEvents)
    await sender.flush()
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(transport.batches).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)

    // Started again, it sends what was stored while it was stopped: a full batch waits.
    sender.start()
    expect(sender.state()).toBe('sending')
    await queue(1)
    await settle()
    expect(counters.sent).toBe(2 * maxBatchEvents + 1)
  })

  it('clears a scheduled send or a waiting retry', async () => {
    const { sender, queue, transport } = harness()
    await queue(1)
    expect(sender.state()).toBe('scheduled')
    sender.stop()
    expect(vi.getTimerCount()).toBe(0)
    sender.start()
    transport.answerNext({ type: 'retryable', reason: '503' })
    await sender.flush()
    expect(sender.state()).toBe('waiting')
    sender.stop()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(transport.batches).toHaveLength(1)
  })
})

describe('other senders and the network', () => {
  it('stays idle while offline, keeping the count, and sends on the next flush once online', async () => {
    let online = false
    const { sender, queue, transport, counters } = harness({ isOnline: () => online })
    await queue(maxBatchEvents)
    await settle()
    expect(transport.batches).toHaveLength(0)
    expect(sender.state()).toBe('idle')
    expect(sender.count()).toBe(maxBatchEvents)
    expect(vi.getTimerCount()).toBe(0)
    online = true
    await sender.flush()
    expect(counters.sent).toBe(maxBatchEvents)
  })

  it('looks again after flushIntervalMs while another tab holds the lock', async () => {
    let held = true
    const { sender, queue, transport, counters } = harness({
      lock: {
        run: async fn => {
          if (held) return false
          await fn()
          return true
        },
      },
    })
    await queue(maxBatchEvents)
    await settle()
    expect(sender.state()).toBe('scheduled')
    expect(sender.anotherSends()).toBe(true)
    expect(transport.batches).toHaveLength(0)
    held = false
    await vi.advanceTimersByTimeAsync(flushIntervalMs)
    expect(counters.sent).toBe(maxBatchEvents)
    expect(sender.anotherSends()).toBe(false)
    expect(sender.state()).toBe('idle')
  })

  it('retries later when the store fails during a send', async () => {
    const { sender, queue, store, errors } = harness()
    await queue(1)
    const peek = vi.spyOn(store, 'peek').mockRejectedValueOnce(new Error('disk gone'))
    await sender.flush()
    expect(sender.state()).toBe('waiting')
    expect(errors.map(error => error.name)).toContain('StorageError')
    peek.mockRestore()
    await vi.advanceTimersByTimeAsync(500)
    expect(sender.state()).toBe('idle')
    expect(sender.count()).toBe(0)
  })
})
