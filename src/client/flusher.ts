import { retryDelayMs } from '../protocol/backoff.js'
import { DeliveryError } from './errors/delivery-error.js'
import { EventsDroppedError } from './errors/events-dropped-error.js'
import { StorageError } from './errors/storage-error.js'
import type { ErrorReporter } from './error-reporter.js'
import type { ResolvedTelemetryOptions } from './options.js'
import type { Counters } from './stats.js'
import type { EventStore, StoredEvent } from './stores/event-store.js'
import type { SendLock } from './platform/platform.js'
import type { SendContext, SendResult, Transport } from './transport/transport.js'

type SendSuccess = Extract<SendResult, { type: 'success' }>

export interface FlusherDependencies {
  store: EventStore
  transport: Transport
  options: ResolvedTelemetryOptions
  counters: Counters
  report: ErrorReporter
  credentials: () => Omit<SendContext, 'signal'>
  /** Told the store's count after every removal, so that `stats()` stays synchronous. */
  onCount: (count: number) => void
  /** Told the ids leaving the queue (acknowledged or dropped). */
  onRemoved: (ids: readonly string[]) => void
  /** Batch bounds; the backend's config may lower them after start. */
  limits: { maxBatchEvents: number; maxBatchBytes: number }
  /** One sender across tabs or windows; none for a queue of one's own. */
  lock: SendLock | undefined
  /** No send is tried while this says offline; `flush()` is called again when it comes back. */
  isOnline: () => boolean
  now: () => number
  random?: () => number
}

export interface FlushOptions {
  /** Send even while a retry is scheduled (a last attempt at shutdown). */
  force?: boolean
}

export interface Flusher {
  /** Told after events were queued: sends at once when a full batch waits, else within `flushIntervalMs`. */
  queued(count: number): void
  /** Sends batches until the queue is empty, a retry is scheduled, sending is paused or `stop()` aborts. */
  flush(options?: FlushOptions): Promise<void>
  /** Lifts a pause caused by a 401/403, after the credentials changed. */
  resume(): void
  /**
   * Sends these events at page unload with `keepalive`, within the browser's budget for such
   * requests, without waiting for the lock or a scheduled retry. Acknowledgements are applied
   * if the page lives to see them; otherwise the events stay queued for the next load.
   */
  sendAtUnload(events: readonly StoredEvent[]): void
  /**
   * Whether another tab or window was found sending the shared queue lately: what this one
   * wrote to the store is then in that sender's hands.
   */
  anotherSends(): boolean
  stop(): void
  /** Undoes `stop()`: sending resumes with the next flush or queued event. */
  start(): void
}

/**
 * Browsers cap the bodies of keepalive requests in flight at 64 KiB per page; keep under it
 * with room for headers, since a request past the cap is refused outright.
 */
export const maxKeepaliveBytes = 60 * 1024

type Outcome = 'sent' | 'retry' | 'paused' | 'aborted'

/**
 * Moves batches from the store to the transport, one request in flight at a time, and
 * applies DESIGN.md's response classes. A timer runs only while something is queued.
 */
export function createFlusher(deps: FlusherDependencies): Flusher {
  const { store, options, counters, report } = deps
  let timer: ReturnType<typeof setTimeout> | undefined
  let retryScheduled = false
  let attempt = 0
  let paused = false
  let stopped = false
  let running: Promise<void> | undefined
  let inFlight: AbortController | undefined

  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    retryScheduled = false
  }

  const startTimer = (delayMs: number, retry: boolean) => {
    clearTimer()
    retryScheduled = retry
    timer = setTimeout(() => {
      timer = undefined
      retryScheduled = false
      void flush()
    }, delayMs)
    // In Node (editor extension hosts) a pending send must not keep the process alive.
    ;(timer as { unref?: () => void }).unref?.()
  }

  const removeAndCount = async (ids: string[]) => {
    if (ids.length === 0) return
    deps.onRemoved(ids)
    deps.onCount(await store.remove(ids))
  }

  const send = async (
    events: readonly StoredEvent[],
    signal: AbortSignal | undefined,
    keepalive = false,
  ): Promise<SendResult> => {
    const context: SendContext = {
      ...deps.credentials(),
      ...(signal ? { signal } : {}),
      ...(keepalive ? { keepalive } : {}),
    }
    try {
      return await deps.transport.send(
        { events: events.map(entry => entry.event), sentAt: new Date(deps.now()) },
        context,
      )
    } catch (error) {
      // A transport should return a result, but one that throws must not lose the batch.
      return { type: 'retryable', reason: error instanceof Error ? error.message : String(error) }
    }
  }

  const drop = async (ids: string[], detail: string) => {
    counters.dropped.rejected += ids.length
    await removeAndCount(ids)
    report(new EventsDroppedError('rejected', ids.length, detail))
  }

  /**
   * Applies a 2xx answer to the batch it answers: acknowledged ids leave the queue, ids
   * reported invalid are dropped and counted. Ids of other batches in the answer are ignored.
   */
  const settle = async (batch: readonly StoredEvent[], result: SendSuccess) => {
    const inBatch = new Set(batch.map(entry => entry.event.id))
    const accepted = result.accepted.filter(id => inBatch.has(id))
    const rejected = result.rejected.filter(entry => inBatch.has(entry.id))
    counters.sent += accepted.length
    await removeAndCount(accepted)
    if (rejected.length > 0) {
      await drop(
        rejected.map(entry => entry.id),
        `the backend refused them as invalid (first: ${rejected[0]?.reason ?? ''})`,
      )
    }
    return { answered: accepted.length + rejected.length, total: inBatch.size }
  }

  const scheduleRetry = (reason: string, retryAfterMs: number | undefined) => {
    counters.retries++
    attempt++
    const delay = retryDelayMs(attempt, options, retryAfterMs, deps.random)
    report(new DeliveryError(`Send failed (${reason}); retrying in ${delay} ms`, delay))
    if (!stopped) startTimer(delay, true)
  }

  const deliver = async (
    events: StoredEvent[],
    signal: AbortSignal | undefined,
  ): Promise<Outcome> => {
    const result = await send(events, signal)
    if (signal?.aborted) return 'aborted'
    switch (result.type) {
      case 'success': {
        const { answered, total } = await settle(events, result)
        if (answered < total) {
          scheduleRetry(`the backend answered for ${answered} of ${total} events`, undefined)
          return 'retry'
        }
        attempt = 0
        return 'sent'
      }
      case 'retryable':
        scheduleRetry(result.reason, result.retryAfterMs)
        return 'retry'
      case 'too-large': {
        if (events.length === 1) {
          await drop([(events[0] as StoredEvent).event.id], `the backend refused it as too large`)
          return 'sent'
        }
        const middle = Math.ceil(events.length / 2)
        for (const half of [events.slice(0, middle), events.slice(middle)]) {
          const outcome = await deliver(half, signal)
          if (outcome !== 'sent') return outcome
        }
        return 'sent'
      }
      case 'unauthorized':
        paused = true
        report(
          new DeliveryError(
            `Sending paused until the credentials change (${result.reason})`,
            undefined,
          ),
        )
        return 'paused'
      case 'rejected':
        await drop(
          events.map(entry => entry.event.id),
          `the backend refused the batch (${result.reason})`,
        )
        return 'sent'
    }
  }

  const sendAll = async (signal: AbortSignal) => {
    while (!paused && !signal.aborted) {
      const batch = await store.peek(deps.limits.maxBatchEvents, deps.limits.maxBatchBytes)
      if (batch.length === 0) {
        // Another tab may have sent what this one counted as queued.
        deps.onCount(0)
        return
      }
      if ((await deliver(batch, signal)) !== 'sent') return
    }
  }

  let otherSenderSeenAt: number | undefined
  const drain = async (signal: AbortSignal) => {
    try {
      // Offline, a send could only fail: wait for the platform to say `online`.
      if (!deps.isOnline()) return
      if (!deps.lock) return await sendAll(signal)
      const ran = await deps.lock.run(() => sendAll(signal))
      otherSenderSeenAt = ran ? undefined : deps.now()
      if (!ran) {
        // Another tab or window is sending the shared queue; look again later in case it stops.
        if (!stopped) startTimer(options.flushIntervalMs, false)
        deps.onCount(await store.count())
      }
    } catch (cause) {
      // The store failed under us; the events it holds stay where they are for the next try.
      report(new StorageError('Reading or updating the queue failed during a send', { cause }))
      scheduleRetry('the store failed', undefined)
    }
  }

  function flush(flushOptions: FlushOptions = {}): Promise<void> {
    if (running) return running
    if (paused || (retryScheduled && !flushOptions.force)) return Promise.resolve()
    if (!retryScheduled) clearTimer()
    const controller = new AbortController()
    inFlight = controller
    running = drain(controller.signal).finally(() => {
      running = undefined
      inFlight = undefined
      // Events queued after the last read of this run would otherwise wait for the next record.
      if (queuedWhileRunning !== undefined) {
        const count = queuedWhileRunning
        queuedWhileRunning = undefined
        queued(count)
      }
    })
    return running
  }

  let queuedWhileRunning: number | undefined
  function queued(count: number) {
    if (running) {
      queuedWhileRunning = count
      return
    }
    if (stopped || paused || retryScheduled) return
    if (count >= deps.limits.maxBatchEvents) void flush()
    else if (timer === undefined && count > 0) startTimer(options.flushIntervalMs, false)
  }

  let keepaliveBytes = 0
  // `visibilitychange` and `pagehide` both fire on the way out: an event already on its way
  // in a keepalive request is not sent again while that request is open.
  const inKeepalive = new Set<string>()
  const sendAtUnload = (events: readonly StoredEvent[]) => {
    const batch: StoredEvent[] = []
    let bytes = 0
    for (const entry of events) {
      if (inKeepalive.has(entry.event.id)) continue
      if (keepaliveBytes + bytes + entry.bytes > maxKeepaliveBytes) break
      batch.push(entry)
      bytes += entry.bytes
    }
    if (batch.length === 0) return
    keepaliveBytes += bytes
    for (const entry of batch) inKeepalive.add(entry.event.id)
    void send(batch, undefined, true).then(async result => {
      keepaliveBytes -= bytes
      for (const entry of batch) inKeepalive.delete(entry.event.id)
      if (result.type === 'success') await settle(batch, result).catch(() => {})
    })
  }

  return {
    queued,
    flush,
    sendAtUnload,
    anotherSends: () =>
      otherSenderSeenAt !== undefined &&
      deps.now() - otherSenderSeenAt < 2 * options.flushIntervalMs,
    resume() {
      if (!paused) return
      paused = false
      attempt = 0
      if (!stopped) void flush()
    },
    stop() {
      stopped = true
      clearTimer()
      inFlight?.abort()
    },
    start() {
      stopped = false
      attempt = 0
    },
  }
}
