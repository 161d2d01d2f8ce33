import { nanoid } from 'nanoid'
import { createErrorReporter } from './error-reporter.js'
import { EventsDroppedError } from './errors/events-dropped-error.js'
import { StorageError } from './errors/storage-error.js'
import { createFlusher } from './flusher.js'
import type { KnownString, RecordParameters } from './known.js'
import { normalizeOptions, type TelemetryOptions } from './options.js'
import {
  billingProcessor,
  interactionProcessor,
  sessionProcessor,
  sourceProcessor,
  type EventProcessor,
} from './processors.js'
import { PendingBuffer } from './pending-buffer.js'
import { createRecorder } from './recorder.js'
import { createCounters, type TelemetryStats } from './stats.js'
import type { EventStore } from './stores/event-store.js'
import { createMemoryStore } from './stores/memory-store.js'
import type { Transport } from './transport/transport.js'

export interface Telemetry {
  /**
   * Records an event. Feature, action and metadata keys must be literals and metadata values
   * numbers, so that no free text reaches an export by mistake; strings go in
   * `privateMetadata` (scrubbed, kept on the instance) or through `redactable`.
   * Never throws and never blocks: the event is checked, scrubbed and queued in memory, and
   * written to the store right after.
   */
  // eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- no metadata is `{}`
  recordEvent<F extends string, A extends string, M = Record<never, never>>(
    feature: KnownString<F>,
    action: KnownString<A>,
    parameters?: RecordParameters<M>,
  ): void
  /** Sends what is queued now, unless the backend asked to wait; never rejects. */
  flush(): Promise<void>
  stats(): TelemetryStats
  /** Replaces the credentials and lifts a pause caused by a 401/403. */
  setCredentials(credentials: { accessToken?: string }): void
  /** Stops recording and sends what it can within the deadline; idempotent. */
  shutdown(options?: { timeoutMs?: number }): Promise<void>
}

/** What a platform entry point (browser, Node) supplies: where events go and where they wait. */
export interface TelemetryParts {
  transport: Transport
  /** @default a memory store bounded by the queue options */
  store: EventStore | undefined
}

/** The platform-free client: entry points give it a transport and a store. */
export function createTelemetryClient(options: TelemetryOptions, parts: TelemetryParts): Telemetry {
  const resolved = normalizeOptions(options)
  const now = () => Date.now()
  const newId = () => nanoid()
  const report = createErrorReporter(resolved.onError, resolved.errorIntervalMs, now)
  const counters = createCounters()
  const store =
    parts.store ??
    createMemoryStore({ maxEvents: resolved.maxQueueEvents, maxBytes: resolved.maxQueueBytes })

  const processors: EventProcessor[] = [
    sourceProcessor(resolved.client),
    sessionProcessor(resolved.sessionTimeoutMs, now, newId),
  ]
  if (resolved.interactionId) processors.push(interactionProcessor(resolved.interactionId))
  if (resolved.billingMetadata) processors.push(billingProcessor(resolved.billingMetadata))
  processors.push(...resolved.processors)

  const build = createRecorder({
    processors,
    scrub: resolved.scrub,
    now,
    newId,
    report,
  })

  let credentials: { accessToken?: string } =
    resolved.accessToken === undefined ? {} : { accessToken: resolved.accessToken }
  let storedCount = 0
  const flusher = createFlusher({
    store,
    transport: parts.transport,
    options: resolved,
    counters,
    report,
    credentials: () => credentials,
    onCount: count => {
      storedCount = count
    },
    now,
  })

  const pending = new PendingBuffer(resolved.maxQueueEvents)
  let writing: Promise<void> = Promise.resolve()
  let writeScheduled = false

  const countDrops = (count: number, detail: string) => {
    if (count === 0) return
    counters.dropped.overflow += count
    report(new EventsDroppedError('overflow', count, detail))
  }

  const write = async () => {
    writeScheduled = false
    while (pending.length > 0) {
      const chunk = pending.take()
      try {
        const { count, dropped } = await store.append(chunk)
        storedCount = count
        countDrops(
          dropped,
          `the queue is full (${resolved.maxQueueEvents} events or ${resolved.maxQueueBytes} bytes)`,
        )
      } catch (cause) {
        // Keep the events for the next write rather than lose them, within the bound.
        countDrops(pending.restore(chunk), 'the store failed and the memory buffer is full')
        report(
          new StorageError('Writing events to the queue failed; they are kept in memory', {
            cause,
          }),
        )
        return
      }
    }
    flusher.queued(storedCount)
  }

  const scheduleWrite = () => {
    if (writeScheduled) return
    writeScheduled = true
    // One write for everything recorded in the same task: one store transaction per event
    // would cost more than the recording itself.
    writing = writing.then(write, write)
  }

  let enabled = resolved.enabled
  let shutdownPromise: Promise<void> | undefined

  const recordEvent = (feature: string, action: string, parameters?: unknown): void => {
    try {
      if (!enabled) {
        counters.dropped.disabled++
        return
      }
      const outcome = build(feature, action, parameters)
      if (!outcome.ok) {
        counters.dropped.invalid++
        report(outcome.error)
        return
      }
      countDrops(
        pending.push(outcome.entry),
        'the store is not keeping up and the memory buffer is full',
      )
      scheduleWrite()
    } catch {
      // recordEvent must never throw into the host app; whatever broke, the event is lost
      // and counted as such.
      counters.dropped.invalid++
    }
  }

  const flush = async (): Promise<void> => {
    scheduleWrite()
    await writing
    await flusher.flush()
  }

  return {
    recordEvent,
    flush,
    stats: () => ({
      queued: storedCount + pending.length,
      sent: counters.sent,
      retries: counters.retries,
      storage: store.kind,
      dropped: { ...counters.dropped },
    }),
    setCredentials(next) {
      credentials = next.accessToken === undefined ? {} : { accessToken: next.accessToken }
      flusher.resume()
    },
    shutdown({ timeoutMs = resolved.shutdownTimeoutMs } = {}) {
      shutdownPromise ??= (async () => {
        enabled = false
        let deadline: ReturnType<typeof setTimeout> | undefined
        const timeUp = new Promise<void>(resolve => {
          deadline = setTimeout(resolve, timeoutMs)
        })
        try {
          scheduleWrite()
          // A send already under way is awaited too; stop() aborts whatever is left at the deadline.
          await Promise.race([writing.then(() => flusher.flush({ force: true })), timeUp])
        } finally {
          clearTimeout(deadline)
          flusher.stop()
          await store.close().catch(() => {})
        }
      })()
      return shutdownPromise
    },
  }
}
