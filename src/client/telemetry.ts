import { newId } from './ids.js'
import { createErrorReporter, type ErrorReporter } from './error-reporter.js'
import type { KnownString, RecordParameters } from './known.js'
import type { ResolvedTelemetryOptions } from './options.js'
import { createRecorder } from './recorder.js'
import { createCounters, type TelemetryStats } from './stats.js'
import type { Platform } from './platform/platform.js'
import { createQueue } from './queue.js'
import { createLazySender } from './sender/lazy-sender.js'
import type { EventStore, StoreBounds, StoredEvent } from './stores/event-store.js'
import type { Transport } from './transport/transport.js'

export interface Telemetry {
  /**
   * Records an event. Feature, action and metadata keys must be literals and metadata values
   * numbers, so that no free text reaches an export by mistake; strings go in
   * `privateMetadata` (scrubbed, kept on the instance) or through `redactable`.
   * Never throws and never blocks: the event is stamped and copied into memory; it is
   * processed, checked, scrubbed and written to the store in one batch at the end of the task.
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
  /**
   * Turns recording off or on at run time, for a host's own telemetry setting (an editor's):
   * off stops sending and empties the queue, counting each event in `dropped.disabled`, as
   * an instance that turned telemetry off does; on resumes recording and sending, unless the
   * instance turned telemetry off. Resolves once the queue is emptied; never rejects.
   */
  setEnabled(enabled: boolean): Promise<void>
  /** Replaces the credentials and lifts a pause caused by a 401/403. */
  setCredentials(credentials: { accessToken?: string }): void
  /** Stops recording and sends what it can within the deadline; idempotent. */
  shutdown(options?: { timeoutMs?: number }): Promise<void>
}

/** What a platform entry point (browser, Node) supplies. */
export interface TelemetryParts {
  transport: Transport
  /** The queue, or how to open it with the queue options' bounds. */
  store: EventStore | ((context: { bounds: StoreBounds; report: ErrorReporter }) => EventStore)
  /** Lifecycle, idle periods, cross-tab lock and unload spill (`nullPlatform` for none). */
  platform: Platform
}

/**
 * The platform-free client: entry points resolve the options (`normalizeOptions`, which throws
 * for misuse before anything is opened) and give it a transport, a store and a platform.
 */
export function createTelemetryClient(
  resolved: ResolvedTelemetryOptions,
  parts: TelemetryParts,
): Telemetry {
  const { platform } = parts
  const now = () => Date.now()
  const report = createErrorReporter(resolved.onError, resolved.errorIntervalMs, now)
  const counters = createCounters()
  const bounds = { maxEvents: resolved.maxQueueEvents, maxBytes: resolved.maxQueueBytes }
  const store = typeof parts.store === 'function' ? parts.store({ bounds, report }) : parts.store

  const recorder = createRecorder({
    client: resolved.client,
    sessionTimeoutMs: resolved.sessionTimeoutMs,
    billingMetadata: resolved.billingMetadata,
    processors: resolved.processors,
    now,
    newId,
    report,
    interactionId: resolved.interactionId,
  })

  let credentials: { accessToken?: string } =
    resolved.accessToken === undefined ? {} : { accessToken: resolved.accessToken }
  let enabled = resolved.enabled
  let offOnInstance = false
  let shutdownPromise: Promise<void> | undefined

  const disable = async (reason: string) => {
    enabled = false
    sender.stop()
    const removed = await queue.clear()
    sender.stored(0)
    queue.countDrops(removed, reason, 'disabled')
  }

  const queue = createQueue({
    store,
    maxEvents: resolved.maxQueueEvents,
    counters,
    report,
    onWritten: count => {
      sender.stored(count)
    },
    process: recorder.process,
    scrub: resolved.scrub,
    spill: platform.spill,
  })
  const sender = createLazySender({
    store,
    transport: parts.transport,
    options: resolved,
    counters,
    report,
    credentials: () => credentials,
    onRemoved: queue.forget,
    enabled: () => enabled,
    turnedOff: () => {
      offOnInstance = true
      disable('off on the instance').catch(() => {})
    },
    lock: platform.lock,
    isOnline: platform.isOnline,
    now,
    whenIdle: platform.whenIdle ?? (load => setTimeout(load, 0)),
  })

  // A client created turned off sends nothing, not even what an earlier run left in its store:
  // that waits for setEnabled(true), as after setEnabled(false).
  if (!enabled) sender.stop()

  // What earlier pages or runs left in a durable store goes out now, not after the next event.
  store
    .count()
    .then(count => {
      sender.stored(count)
      if (count > 0 && enabled) void sender.flush()
    })
    .catch(() => {})

  platform.onOnline(() => {
    void sender.flush()
  })
  /**
   * Spills what would die with the client, for the next load: the events no durable write
   * took yet, or, for a memory queue that no keepalive send takes out, all of this tab's.
   */
  const spillLeft = (unwritten: StoredEvent[], unsent: boolean) =>
    platform.spill?.save(
      store.kind === 'memory' && unsent ? queue.unacknowledged(unwritten) : unwritten,
    )

  platform.onHide(final => {
    const unwritten = queue.unwritten()
    if (final) spillLeft(unwritten, !sender.ready())
    // Without the sender's chunk there is no keepalive send, so nothing to gather for one.
    if (!sender.ready()) return
    // While another tab sends the shared queue, what this one already wrote there is that
    // tab's to send: a keepalive copy would only reach the backend twice. A memory queue
    // (IndexedDB failed) is this tab's alone and goes with it.
    const shared = store.kind !== 'memory' && sender.anotherSends()
    sender.sendAtUnload(shared ? unwritten : queue.unacknowledged(unwritten))
  })

  /** At shutdown: what would die with the client is spilled, or counted as dropped. */
  const leave = () => {
    if (platform.spill) return spillLeft(queue.unwritten(), true)
    const lost = queue.buffered() + (store.kind === 'memory' ? sender.count() : 0)
    queue.countDrops(lost, 'not kept in time', 'shutdown')
  }

  const recordEvent = (feature: string, action: string, parameters?: unknown): void => {
    try {
      if (!enabled) {
        counters.dropped.disabled++
        return
      }
      queue.add(recorder.draft(feature, action, parameters))
    } catch {
      // recordEvent must never throw into the host app; whatever broke, the event is lost
      // and counted as such.
      counters.dropped.invalid++
    }
  }

  return {
    recordEvent,
    async flush() {
      await queue.persist()
      await sender.flush()
    },
    stats: () => {
      // What was recorded in this task is judged now, so that the counters tell the truth.
      queue.ready()
      return {
        queued: sender.count() + queue.buffered(),
        sent: counters.sent,
        retries: counters.retries,
        storage: store.kind,
        dropped: { ...counters.dropped },
      }
    },
    async setEnabled(next) {
      if (shutdownPromise || offOnInstance) return
      if (!next) {
        await disable('off by the host').catch(() => {})
        return
      }
      if (enabled) return
      enabled = true
      sender.start()
    },
    setCredentials(next) {
      credentials = next.accessToken === undefined ? {} : { accessToken: next.accessToken }
      sender.resume()
    },
    shutdown({ timeoutMs = resolved.shutdownTimeoutMs } = {}) {
      shutdownPromise ??= (async () => {
        enabled = false
        let deadline: ReturnType<typeof setTimeout> | undefined
        const timeUp = new Promise<void>(resolve => {
          deadline = setTimeout(resolve, timeoutMs)
        })
        try {
          // A send already under way is awaited too; stop() aborts whatever is left at the deadline.
          await Promise.race([queue.persist().then(() => sender.flush({ force: true })), timeUp])
        } finally {
          clearTimeout(deadline)
          queue.stop()
          sender.stop()
          leave()
          platform.dispose()
          await store.close().catch(() => {})
        }
      })()
      return shutdownPromise
    },
  }
}
