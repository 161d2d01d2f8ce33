import { retryDelayMs } from './backoff.js'
import { DeliveryError } from './errors/delivery-error.js'
import { EventsDroppedError } from './errors/events-dropped-error.js'
import { StorageError } from './errors/storage-error.js'
import type { ErrorReporter } from './error-reporter.js'
import type { ResolvedTelemetryOptions } from './options.js'
import type { Counters } from './stats.js'
import type { EventStore, StoredEvent } from './stores/event-store.js'
import type { SendContext, SendResult, Transport } from './transport/transport.js'

export interface FlusherDependencies {
  store: EventStore
  transport: Transport
  options: ResolvedTelemetryOptions
  counters: Counters
  report: ErrorReporter
  credentials: () => Omit<SendContext, 'signal'>
  /** Told the store's count after every removal, so that `stats()` stays synchronous. */
  onCount: (count: number) => void
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
  stop(): void
}

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
    if (ids.length > 0) deps.onCount(await store.remove(ids))
  }

  const send = async (
    events: StoredEvent[],
    signal: AbortSignal | undefined,
  ): Promise<SendResult> => {
    const context: SendContext = { ...deps.credentials(), ...(signal ? { signal } : {}) }
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
        const inBatch = new Set(events.map(entry => entry.event.id))
        const accepted = result.accepted.filter(id => inBatch.has(id))
        const rejected = result.rejected.filter(entry => inBatch.has(entry.id))
        await removeAndCount(accepted)
        counters.sent += accepted.length
        if (rejected.length > 0) {
          const first = rejected[0]?.reason ?? ''
          await drop(
            rejected.map(entry => entry.id),
            `the backend refused them as invalid (first: ${first})`,
          )
        }
        const answered = accepted.length + rejected.length
        if (answered < inBatch.size) {
          scheduleRetry(`the backend answered for ${answered} of ${inBatch.size} events`, undefined)
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

  const drain = async (signal: AbortSignal) => {
    try {
      while (!paused && !signal.aborted) {
        const batch = await store.peek(options.maxBatchEvents, options.maxBatchBytes)
        if (batch.length === 0) return
        if ((await deliver(batch, signal)) !== 'sent') return
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
    if (count >= options.maxBatchEvents) void flush()
    else if (timer === undefined && count > 0) startTimer(options.flushIntervalMs, false)
  }

  return {
    queued,
    flush,
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
  }
}
