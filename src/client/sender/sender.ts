import { retryDelayMs, type BackoffPolicy } from '../../protocol/backoff.js'
import { DeliveryError } from '../errors/delivery-error.js'
import { StorageError } from '../errors/storage-error.js'
import type { StoredEvent } from '../stores/event-store.js'
import type { SendLock } from '../platform/platform.js'
import { createDelivery, type Delivery, type DeliveryDependencies } from './deliver.js'
import { createUnloadSend } from './unload-send.js'

/** Batch bounds: the options', lowered by the backend's config once it answers. */
export interface BatchLimits {
  maxBatchEvents: number
  maxBatchBytes: number
}

export interface SenderDependencies extends Omit<DeliveryDependencies, 'removed'> {
  options: BackoffPolicy & { flushIntervalMs: number }
  limits: () => BatchLimits
  /** Told the ids leaving the queue (acknowledged or dropped). */
  onRemoved: (ids: readonly string[]) => void
  /** One sender across tabs or windows; none for a queue of one's own. */
  lock: SendLock | undefined
  /** No send is tried while this says offline; `flush()` is called again when it comes back. */
  isOnline: () => boolean
  random?: () => number
}

/**
 * - `idle`: nothing to send, or offline with events waiting for the platform's `online`.
 * - `scheduled`: a partial batch waits `flushIntervalMs` (or another tab sends the shared queue).
 * - `sending`: one drain of the queue in flight, batch after batch.
 * - `waiting`: a send failed; the retry waits out its backoff (at least any `Retry-After`).
 * - `paused`: the backend refused the credentials (401/403) until `resume()`.
 * - `stopped`: turned off or shut down until `start()`.
 */
export type SenderState = 'idle' | 'scheduled' | 'sending' | 'waiting' | 'paused' | 'stopped'

type Timer = ReturnType<typeof setTimeout>

type State =
  | { name: 'idle' | 'paused' | 'stopped' }
  | { name: 'scheduled' | 'waiting'; timer: Timer }
  | Sending

interface Sending {
  name: 'sending'
  controller: AbortController
  done: Promise<void>
  /** Events were written while this drain ran, after its last read perhaps. */
  written: boolean
}

type Next =
  | { name: 'idle' | 'paused' | 'stopped' | 'sending' }
  | { name: 'scheduled' | 'waiting'; delayMs: number }

/** How a drain of the queue ended. */
type Drained =
  | Exclude<Delivery, { type: 'sent' }>
  | { type: 'empty' }
  | { type: 'offline' }
  | { type: 'busy'; count: number }

export interface Sender {
  state(): SenderState
  /** Events in the store, as its last write, removal or count said. */
  count(): number
  /**
   * Told how many events the store holds after a write: sends at once when a full batch
   * waits, else within `flushIntervalMs`.
   */
  stored(count: number): void
  /**
   * Sends batches until the queue is empty, a retry waits, sending is paused or `stop()`
   * aborts; `force` sends even while a retry waits (a last attempt at shutdown).
   */
  flush(options?: { force?: boolean }): Promise<void>
  /** Lifts a pause caused by a 401/403, after the credentials changed. */
  resume(): void
  /** Sends these events at page unload; see {@link createUnloadSend}. */
  sendAtUnload(events: readonly StoredEvent[]): void
  /**
   * Whether another tab or window was found sending the shared queue lately: what this one
   * wrote to the store is then in that sender's hands.
   */
  anotherSends(): boolean
  /** Aborts a send in flight and sends nothing more until `start()`. */
  stop(): void
  start(): void
}

/**
 * Moves batches from the store to the transport, one request in flight at a time. Every
 * change of state goes through `enter`; a timer runs only in `scheduled` and `waiting`.
 */
export function createSender(deps: SenderDependencies): Sender {
  const { store, options, report } = deps
  let state: State = { name: 'idle' }
  let count = 0
  let attempt = 0
  let otherSenderSeenAt: number | undefined

  const delivery = createDelivery({
    ...deps,
    removed: (ids, left) => {
      deps.onRemoved(ids)
      count = left
    },
  })

  function enter(next: Next): void {
    const left = state
    if ('timer' in left) clearTimeout(left.timer)
    if (left.name === 'sending' && next.name === 'stopped') left.controller.abort()
    switch (next.name) {
      case 'scheduled':
      case 'waiting': {
        const timer = setTimeout(() => {
          enter({ name: 'sending' })
        }, next.delayMs)
        // In Node (editor extension hosts) a pending send must not keep the process alive.
        ;(timer as { unref?: () => void }).unref?.()
        state = { name: next.name, timer }
        return
      }
      case 'sending': {
        const sending: Sending = {
          name: 'sending',
          controller: new AbortController(),
          done: Promise.resolve(),
          written: false,
        }
        state = sending
        sending.done = drain(sending.controller.signal).then(drained => {
          // stop() or a forced flush moved on while this drain ran: its end changes nothing.
          if (state === sending) ended(drained, sending.written)
        })
        return
      }
      default:
        state = { name: next.name }
    }
  }

  /** Where a drain leads. */
  function ended(drained: Drained, written: boolean): void {
    switch (drained.type) {
      case 'empty':
        attempt = 0
        // Another tab may have sent what this one counted; events written during the drain
        // may have missed its last read.
        if (!written) count = 0
        enter({ name: 'idle' })
        if (written) schedule()
        return
      case 'offline':
        return enter({ name: 'idle' })
      case 'busy':
        // Another tab or window sends the shared queue; look again later in case it stops.
        count = drained.count
        return enter({ name: 'scheduled', delayMs: options.flushIntervalMs })
      case 'retry': {
        deps.counters.retries++
        attempt++
        const delayMs = retryDelayMs(attempt, options, drained.retryAfterMs, deps.random)
        report(
          new DeliveryError(`Send failed (${drained.reason}); retrying in ${delayMs} ms`, delayMs),
        )
        return enter({ name: 'waiting', delayMs })
      }
      case 'paused':
        report(
          new DeliveryError(
            `Sending paused until the credentials change (${drained.reason})`,
            undefined,
          ),
        )
        return enter({ name: 'paused' })
      case 'aborted':
        return enter({ name: 'stopped' })
    }
  }

  /** From `idle` or `scheduled`: a full batch goes now, a partial one after the interval. */
  function schedule(): void {
    if (count >= deps.limits().maxBatchEvents) enter({ name: 'sending' })
    else if (state.name === 'idle' && count > 0) {
      enter({ name: 'scheduled', delayMs: options.flushIntervalMs })
    }
  }

  const sendAll = async (signal: AbortSignal): Promise<Drained> => {
    while (!signal.aborted) {
      const { maxBatchEvents, maxBatchBytes } = deps.limits()
      const batch = await store.peek(maxBatchEvents, maxBatchBytes)
      if (batch.length === 0) return { type: 'empty' }
      const delivered = await delivery.deliver(batch, signal)
      if (delivered.type !== 'sent') return delivered
    }
    return { type: 'aborted' }
  }

  const drain = async (signal: AbortSignal): Promise<Drained> => {
    try {
      // Offline, a send could only fail: wait for the platform to say `online`.
      if (!deps.isOnline()) return { type: 'offline' }
      if (!deps.lock) return await sendAll(signal)
      let drained: Drained = { type: 'empty' }
      const ran = await deps.lock.run(async () => {
        drained = await sendAll(signal)
      })
      otherSenderSeenAt = ran ? undefined : deps.now()
      return ran ? drained : { type: 'busy', count: await store.count() }
    } catch (cause) {
      // The store failed under us; the events it holds stay where they are for the next try.
      report(new StorageError('Reading or updating the queue failed during a send', { cause }))
      return { type: 'retry', reason: 'the store failed', retryAfterMs: undefined }
    }
  }

  return {
    state: () => state.name,
    count: () => count,
    stored(next) {
      count = next
      if (state.name === 'sending') state.written = true
      else if (state.name === 'idle' || state.name === 'scheduled') schedule()
    },
    flush({ force = false } = {}) {
      const from = state.name
      if (from === 'idle' || from === 'scheduled' || (from === 'waiting' && force)) {
        enter({ name: 'sending' })
      }
      return state.name === 'sending' ? state.done : Promise.resolve()
    },
    resume() {
      if (state.name !== 'paused') return
      attempt = 0
      enter({ name: 'sending' })
    },
    sendAtUnload: createUnloadSend(delivery),
    anotherSends: () =>
      otherSenderSeenAt !== undefined &&
      deps.now() - otherSenderSeenAt < 2 * options.flushIntervalMs,
    stop() {
      if (state.name !== 'stopped') enter({ name: 'stopped' })
    },
    start() {
      if (state.name !== 'stopped') return
      attempt = 0
      enter({ name: 'idle' })
    },
  }
}
