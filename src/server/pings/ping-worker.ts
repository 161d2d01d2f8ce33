import { retryDelayMs } from '../../protocol/backoff.js'
import { checkPing, type Ping } from '../../protocol/ping.js'
import { createUpstreamClient } from '../export/gateway-client.js'
import { firstDay } from '../insights/first-day.js'
import { createPeriodicRunner } from '../periodic-runner.js'
import type { PingRecord } from '../stores/server-event-store.js'
import { buildPing } from './build-ping.js'
import { dueDays, lastCompletedDay, untilNextDayMs } from './due-days.js'
import type { PingErrorClass, PingMetrics } from './ping-metrics.js'
import { normalizePingOptions, type PingWorkerOptions } from './ping-options.js'

export interface PingRunResult {
  /**
   * - `sent`: every due day was answered (acknowledged or refused).
   * - `idle`: no day was due.
   * - `failed`: a day did not get through; it and the later ones go again after a backoff.
   * - `backing-off`: a previous failure's backoff has not run out; nothing was sent.
   * - `off`: export mode `off`; nothing was built or sent.
   */
  status: 'sent' | 'idle' | 'failed' | 'backing-off' | 'off'
  /** Days acknowledged by this run, `YYYY-MM-DD`, oldest first. */
  sent: string[]
  /** Days refused by this run: never sent again. */
  refused: string[]
  error?: string
  /** When the worker's own schedule runs next: the next day's completion, or the backoff. */
  nextRunInMs: number
}

/** A ping the next run would send, exactly as it would leave. */
export interface PendingPing {
  ping: Ping
  /** The request's body. */
  body: string
}

export interface PingWorker {
  /** Sends every due day's ping, oldest first, unless `off` or backing off. Concurrent calls share one run. */
  runOnce(): Promise<PingRunResult>
  /** Runs at once, then as each UTC day completes (or as the backoff says). Idempotent. */
  start(): void
  /** Stops the schedule, aborts a send in flight and waits for the run. Idempotent. */
  stop(): Promise<void>
  /** The pings the next run would send, oldest first, built now; empty in `off` mode. */
  pending(): Promise<PendingPing[]>
  /** The `limit` latest days the gateway answered, newest first. */
  recent(limit: number): Promise<PingRecord[]>
  metrics(): PingMetrics
}

/**
 * Creates the worker that sends the instance's daily ping: once per UTC day, for the last
 * completed day, and at start for every day of the last `maxMissedDays` the gateway has not
 * answered (none before the store's first event). A day is recorded in the store's ping log
 * only once the gateway acknowledged or refused it; a failure backs off like the export.
 */
export function createPingWorker(options: PingWorkerOptions): PingWorker {
  const config = normalizePingOptions(options)
  const { store, insights, now, onLog } = config
  const send = createUpstreamClient(config)
  const instance = config.gateway?.instanceId

  const state: PingMetrics = {
    sent: 0,
    refused: 0,
    runs: 0,
    failedRuns: 0,
    consecutiveFailures: 0,
    lastSentDay: null,
    lastSentAt: null,
    lastError: null,
  }
  let nextAttemptAt = 0
  const runner = createPeriodicRunner({ run, delayAfterMs: result => result.nextRunInMs })

  async function duePings(at: Date): Promise<(PendingPing & { day: number })[]> {
    if (instance === undefined) return []
    const last = lastCompletedDay(at, config.settleMs)
    const from = last - config.maxMissedDays + 1
    const [first, recorded] = await Promise.all([firstDay(insights), store.recordedPingDays(from)])
    const pings: (PendingPing & { day: number })[] = []
    for (const day of dueDays(last, config.maxMissedDays, first, recorded)) {
      const ping = await buildPing(insights, {
        instance,
        day,
        version: config.version,
        store: config.storeKind,
      })
      pings.push({ day, ping, body: JSON.stringify(ping) })
    }
    return pings
  }

  async function run(): Promise<PingRunResult> {
    const started = now()
    const result: PingRunResult = {
      status: 'idle',
      sent: [],
      refused: [],
      nextRunInMs: untilNextDayMs(started, config.settleMs),
    }
    if (send === undefined) return { ...result, status: 'off' }
    if (nextAttemptAt > started.getTime()) {
      return { ...result, status: 'backing-off', nextRunInMs: nextAttemptAt - started.getTime() }
    }
    state.runs++
    try {
      for (const { day, ping, body } of await duePings(started)) {
        const record = (status: PingRecord['status'], reason: string | null) =>
          store.recordPing({ day, status, body, reason, settledAt: now() })
        // The gateway would refuse it as well, every day: refuse it here, once.
        const checked = checkPing(JSON.parse(body))
        if (!checked.ok) {
          await record('refused', checked.reason)
          refusedDay(result, ping.day, checked.reason)
          continue
        }
        const answer = await runner.abortable(signal => send(body, signal))
        if (answer.type === 'success') {
          const rejection = answer.rejected.find(entry => entry.id === ping.id)
          if (answer.accepted.includes(ping.id)) {
            await record('sent', null)
            result.sent.push(ping.day)
            state.sent++
            state.lastSentDay = ping.day
            state.lastSentAt = now()
          } else if (rejection !== undefined) {
            await record('refused', rejection.reason)
            refusedDay(result, ping.day, rejection.reason)
          } else {
            throw new PingFailure(
              `the gateway acknowledged neither way the ping of ${ping.day}`,
              'no-acknowledgement',
            )
          }
        } else if (answer.type === 'too-large') {
          // A ping's size is its catalogue's: the same day would be as large tomorrow.
          await record('refused', answer.reason)
          refusedDay(result, ping.day, answer.reason)
        } else {
          throw new PingFailure(answer.reason, answer.errorClass, answer.retryAfterMs)
        }
      }
      if (result.sent.length + result.refused.length > 0) result.status = 'sent'
      await store.prunePingLog(lastCompletedDay(started, config.settleMs) - config.logDays)
      succeeded()
      return result
    } catch (error) {
      const failure =
        error instanceof PingFailure
          ? error
          : // Everything else the run awaits is the store (the gateway client never throws).
            new PingFailure(error instanceof Error ? error.message : String(error), 'store')
      return failed(failure, result)
    }
  }

  function refusedDay(result: PingRunResult, day: string, reason: string): void {
    result.refused.push(day)
    state.refused++
    onLog({
      level: 'warn',
      message: `ping: the ping of ${day} was refused (${reason}); it is not sent again`,
    })
  }

  function succeeded(): void {
    if (state.consecutiveFailures > 0) {
      onLog({
        level: 'info',
        message: `ping: the gateway took pings again after ${state.consecutiveFailures} failed runs`,
      })
    }
    state.consecutiveFailures = 0
    nextAttemptAt = 0
  }

  function failed(failure: PingFailure, result: PingRunResult): PingRunResult {
    const at = now()
    state.failedRuns++
    state.consecutiveFailures++
    state.lastError = { message: failure.message, errorClass: failure.errorClass, at }
    const delay = retryDelayMs(
      state.consecutiveFailures,
      config,
      failure.retryAfterMs,
      config.random,
    )
    nextAttemptAt = at.getTime() + delay
    onLog({ level: 'warn', message: `ping: ${failure.message}; retrying in ${delay} ms` })
    return { ...result, status: 'failed', error: failure.message, nextRunInMs: delay }
  }

  return {
    runOnce: runner.runOnce,
    start() {
      if (send !== undefined) runner.start()
    },
    stop: runner.stop,
    async pending() {
      if (send === undefined) return []
      return (await duePings(now())).map(({ ping, body }) => ({ ping, body }))
    },
    async recent(limit) {
      return store.pingLog(limit)
    },
    metrics() {
      return { ...state, lastError: state.lastError && { ...state.lastError } }
    },
  }
}

/** Why a ping run stopped short; internal to the worker. */
class PingFailure extends Error {
  override name = 'PingFailure'
  constructor(
    message: string,
    readonly errorClass: PingErrorClass,
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}
