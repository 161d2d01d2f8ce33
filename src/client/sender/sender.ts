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
  options: BackoffPolicy & BatchLimits & { flushIntervalMs: number }
  /** Whether recording is on: the backend's config is asked once it is, and not before. */
  enabled: () => boolean
  /** Told that the backend's config says telemetry is off on the instance. */
  turnedOff: () => void
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

/** How a drain of the queue ended: emptied it, found no network, found another sender, or a refusal. */
type Drained = 'empty' | 'offline' | 'busy' | Exclude<Delivery, 'sent'>

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
  /** Sends again after `stop()`, now that recording is on; asks the backend's config if not yet. */
  start(): void
}

/**
 * Moves batches from the store to the transport, one request in flight at a time. Every
 * change of state goes through `enter`; a timer runs only in `scheduled` and `waiting`.
 */
export function createSender(deps: SenderDependencies): Sender {
  const { store, options, report } = deps
  let state: SenderState = 'idle'
  /** The timer of `scheduled` and `waiting`. */
  let timer: ReturnType<typeof setTimeout> | undefined
  /** The drain of `sending`, and what `flush()` awaits. */
  let inFlight: AbortController | undefined
  let done = Promise.resolve()
  /** Events were written during this drain, perhaps after its last read of the store. */
  let written = false
  let count = 0
  let attempt = 0
  let otherSenderSeenAt: number | undefined
  // Replaced, never changed in place, once the backend's config lowers them.
  let limits: BatchLimits = {
    maxBatchEvents: options.maxBatchEvents,
    maxBatchBytes: options.maxBatchBytes,
  }
  let configAsked = false

  /** The backend's config matters to sending only: asked once, by a sender while recording is on. */
  const askConfig = () => {
    if (configAsked || !deps.enabled() || !deps.transport.config) return
    configAsked = true
    deps.transport
      .config(deps.credentials())
      .then(config => {
        if (!config) return
        if (!config.enabled) return deps.turnedOff()
        // The backend may lower the batch bounds, never raise them.
        limits = {
          maxBatchEvents: Math.min(limits.maxBatchEvents, config.maxBatchEvents),
          maxBatchBytes: Math.min(limits.maxBatchBytes, config.maxBatchBytes),
        }
      })
      .catch(() => {})
  }

  const delivery = createDelivery({
    ...deps,
    removed: (ids, left) => {
      deps.onRemoved(ids)
      count = left
    },
  })

  function enter(next: SenderState, delayMs?: number): void {
    clearTimeout(timer)
    if (next === 'stopped') inFlight?.abort()
    state = next
    if (next === 'scheduled' || next === 'waiting') {
      timer = setTimeout(() => {
        enter('sending')
      }, delayMs)
      // In Node (editor extension hosts) a pending send must not keep the process alive.
      ;(timer as { unref?: () => void }).unref?.()
    } else if (next === 'sending') {
      const controller = (inFlight = new AbortController())
      written = false
      done = drain(controller.signal).then(drained => {
        // stop() moved on while this drain ran: its end changes nothing.
        if (inFlight === controller && state === 'sending') ended(drained)
      })
    }
  }

  /** Where a drain leads. */
  function ended(drained: Drained): void {
    if (drained === 'empty') {
      attempt = 0
      // Another tab may have sent what this one counted; events written during the drain
      // may have missed its last read.
      if (!written) count = 0
      enter('idle')
      if (written) schedule()
    } else if (drained === 'offline') {
      enter('idle')
    } else if (drained === 'busy') {
      // Another tab or window sends the shared queue; look again later in case it stops.
      enter('scheduled', options.flushIntervalMs)
    } else if (drained === 'aborted') {
      enter('stopped')
    } else if (drained.type === 'unauthorized') {
      report(
        new DeliveryError(
          `Sending paused until the credentials change (${drained.reason})`,
          undefined,
        ),
      )
      enter('paused')
    } else {
      deps.counters.retries++
      attempt++
      const delayMs = retryDelayMs(attempt, options, drained.retryAfterMs, deps.random)
      report(
        new DeliveryError(`Send failed (${drained.reason}); retrying in ${delayMs} ms`, delayMs),
      )
      enter('waiting', delayMs)
    }
  }

  /** From `idle` or `scheduled`: a full batch goes now, a partial one after the interval. */
  function schedule(): void {
    if (count >= limits.maxBatchEvents) enter('sending')
    else if (state === 'idle' && count > 0) enter('scheduled', options.flushIntervalMs)
  }

  const sendAll = async (signal: AbortSignal): Promise<Drained> => {
    while (!signal.aborted) {
      const { maxBatchEvents, maxBatchBytes } = limits
      const batch = await store.peek(maxBatchEvents, maxBatchBytes)
      if (batch.length === 0) return 'empty'
      const delivered = await delivery.deliver(batch, signal)
      if (delivered !== 'sent') return delivered
    }
    return 'aborted'
  }

  const drain = async (signal: AbortSignal): Promise<Drained> => {
    try {
      // Offline, a send could only fail: wait for the platform to say `online`.
      if (!deps.isOnline()) return 'offline'
      if (!deps.lock) return await sendAll(signal)
      let drained: Drained = 'empty'
      const ran = await deps.lock.run(async () => {
        drained = await sendAll(signal)
      })
      otherSenderSeenAt = ran ? undefined : deps.now()
      if (ran) return drained
      count = await store.count()
      return 'busy'
    } catch (cause) {
      // The store failed under us; the events it holds stay where they are for the next try.
      report(new StorageError('Queue failed during a send', { cause }))
      return { type: 'retryable', reason: 'the store failed' }
    }
  }

  askConfig()

  return {
    state: () => state,
    count: () => count,
    stored(next) {
      count = next
      written = true
      if (state === 'idle' || state === 'scheduled') schedule()
    },
    flush({ force = false } = {}) {
      if (state === 'idle' || state === 'scheduled' || (state === 'waiting' && force)) {
        enter('sending')
      }
      return state === 'sending' ? done : Promise.resolve()
    },
    resume() {
      if (state !== 'paused') return
      attempt = 0
      enter('sending')
    },
    sendAtUnload: createUnloadSend(delivery),
    anotherSends: () =>
      otherSenderSeenAt !== undefined &&
      deps.now() - otherSenderSeenAt < 2 * options.flushIntervalMs,
    stop: () => {
      enter('stopped')
    },
    start() {
      askConfig()
      if (state !== 'stopped') return
      attempt = 0
      enter('idle')
      // What was stored while stopped (an earlier run's events, for a client created turned
      // off) goes out as if just written.
      schedule()
    },
  }
}
