import type { StoredRow } from '../stores/server-event-store.js'
import { sortAcknowledgements } from './acknowledgements.js'
import { retryDelayMs } from '../../protocol/backoff.js'
import { fitBatch, type ExportPreviewItem } from './export-batch.js'
import { normalizeExportOptions, type ExportWorkerOptions } from './export-options.js'
import { createUpstreamClient, encodeExportBatch } from './gateway-client.js'
import { createPeriodicRunner } from '../periodic-runner.js'
import type { ExportErrorClass, ExportMetrics } from './metrics.js'

export interface ExportRunResult {
  /**
   * - `exported`: the gateway acknowledged the batch (some ids may have been refused).
   * - `idle`: nothing to send.
   * - `failed`: the batch did not get through; its rows were released for the next run.
   * - `backing-off`: a previous failure's backoff (or the gateway's Retry-After) has not run
   *   out, so only retention ran.
   * - `off`: export mode `off`; only retention ran and the gateway was not contacted.
   */
  status: 'exported' | 'idle' | 'failed' | 'backing-off' | 'off'
  pruned: { exported: number; unexported: number }
  /** Events in the request sent to the gateway. */
  sent: number
  accepted: number
  rejected: number
  /** Claimed rows given back: unanswered ids, a failed send, or a batch cut to size. */
  released: number
  /** Why the run failed. */
  error?: string
  /** When the worker's own schedule would run next: the backoff after a failure. */
  nextRunInMs: number
}

export type { ExportPreviewItem } from './export-batch.js'

export interface ExportWorker {
  /** One run: retention, then (unless `off` or backing off) one batch. Concurrent calls share it. */
  runOnce(): Promise<ExportRunResult>
  /** Runs at once, then every `intervalMs` (at once again while a backlog drains). Idempotent. */
  start(): void
  /** Stops the schedule, aborts a send in flight (its rows are released) and waits. Idempotent. */
  stop(): Promise<void>
  /**
   * What the next runs would send, from the `offset`-th waiting event on, without claiming
   * anything; empty in `off` mode.
   */
  preview(limit?: number, offset?: number): Promise<ExportPreviewItem[]>
  /** The last known health; the backlog figures are as of the last run or refresh. */
  metrics(): ExportMetrics
  /** Reads the backlog from the store, then returns {@link metrics}. */
  refreshMetrics(): Promise<ExportMetrics>
}

/**
 * Creates the worker that forwards stored events to the gateway under the export mode.
 * Throws an Error at once for options that cannot work, a plain-HTTP gateway URL that is not
 * loopback among them.
 */
export function createExportWorker(options: ExportWorkerOptions): ExportWorker {
  const config = normalizeExportOptions(options)
  const { store, now, onLog } = config
  const send = createUpstreamClient(config)

  const state = {
    runs: 0,
    failedRuns: 0,
    consecutiveFailures: 0,
    exported: 0,
    rejected: 0,
    pruned: { exported: 0, unexported: 0 },
    lastError: null as ExportMetrics['lastError'],
    lastSuccessAt: null as Date | null,
    backlog: 0,
    oldestUnexportedAt: null as Date | null,
    backlogAt: null as Date | null,
    /** No send before this time (ms since epoch): the current backoff. */
    nextAttemptAt: 0,
    /** Halved by a 413, so that the gateway's body limit is found without configuration. */
    batchLimit: config.maxBatchEvents,
  }
  /** Set by a run that made progress and may have left more behind. */
  let drainNow = false
  const runner = createPeriodicRunner({
    run,
    // A run that sent a full batch may have left more: drain at once instead of waiting.
    delayAfterMs: result => (result.status === 'exported' && drainNow ? 0 : result.nextRunInMs),
  })

  async function run(): Promise<ExportRunResult> {
    const started = now()
    drainNow = false
    state.runs++
    const result: ExportRunResult = {
      status: 'idle',
      pruned: { exported: 0, unexported: 0 },
      sent: 0,
      accepted: 0,
      rejected: 0,
      released: 0,
      nextRunInMs: config.intervalMs,
    }
    let claimed: StoredRow[] = []
    let settled = false
    try {
      result.pruned = await prune(started)
      if (config.mode === 'off' || send === undefined) {
        result.status = 'off'
        return result
      }
      if (state.nextAttemptAt > started.getTime()) {
        result.status = 'backing-off'
        result.nextRunInMs = state.nextAttemptAt - started.getTime()
        return result
      }
      claimed = await store.claimForExport(state.batchLimit, config.leaseMs, started)
      if (claimed.length === 0) return result

      const { items, rest } = fitBatch(claimed, config)
      // A batch cut to size or a full claim leaves more to send at once.
      drainNow = rest.length > 0 || claimed.length === state.batchLimit
      if (rest.length > 0) {
        await store.release(rest.map(row => row.event.id))
        result.released += rest.length
      }
      const sentIds = new Set(items.map(item => item.event.id))
      result.sent = items.length
      const body = encodeExportBatch(
        items.map(item => item.exported),
        started,
      )
      const answer = await runner.abortable(signal => send(body, signal))
      const at = now()

      if (answer.type === 'success') {
        const { accepted, rejected, unanswered } = sortAcknowledgements(sentIds, answer)
        if (accepted.length + rejected.length === 0) {
          throw new RunFailure(
            `the gateway acknowledged none of the ${items.length} events sent`,
            'no-acknowledgement',
          )
        }
        if (accepted.length > 0) await store.markExported(accepted, at)
        if (rejected.length > 0) await store.markRejected(rejected, at)
        if (unanswered.length > 0) {
          // Not at once: a gateway that keeps ignoring an id must not get it in a tight loop.
          drainNow = false
          await store.release(unanswered)
          onLog({
            level: 'warn',
            message: `export: the gateway answered neither way for ${unanswered.length} events; they go again next run`,
          })
        }
        settled = true
        result.status = 'exported'
        result.accepted = accepted.length
        result.rejected = rejected.length
        result.released += unanswered.length
        state.exported += accepted.length
        state.rejected += rejected.length
        succeeded(at)
        return result
      }

      if (answer.type === 'too-large' && items.length === 1 && items[0]) {
        // One event past the gateway's body limit would be refused forever: refuse it here.
        await store.markRejected([{ id: items[0].event.id, reason: answer.reason }], at)
        settled = true
        result.status = 'exported'
        result.rejected = 1
        state.rejected++
        return result
      }
      if (answer.type === 'too-large') {
        state.batchLimit = Math.max(1, Math.floor(items.length / 2))
        onLog({
          level: 'warn',
          message: `export: the gateway refused ${items.length} events as too large (${answer.reason}); sending ${state.batchLimit} at a time`,
        })
      }
      throw answer.type === 'retryable'
        ? new RunFailure(answer.reason, answer.errorClass, answer.retryAfterMs)
        : new RunFailure(answer.reason, 'batch-too-large', undefined, true)
    } catch (error) {
      const failure =
        error instanceof RunFailure
          ? error
          : // Everything the run awaits besides the gateway client (which never throws) is the store.
            new RunFailure(error instanceof Error ? error.message : String(error), 'store')
      if (!settled && claimed.length > 0) {
        const claimedIds = claimed.map(row => row.event.id)
        try {
          await store.release(claimedIds)
          result.released = claimedIds.length
        } catch {
          // The lease runs out on its own; the rows go again then.
        }
      }
      failed(failure, result)
      return result
    } finally {
      await refreshBacklog()
    }
  }

  async function prune(at: Date): Promise<{ exported: number; unexported: number }> {
    const { retention } = config
    const pruned = await store.prune({
      exportedBefore: new Date(at.getTime() - retention.exportedMs),
      unexportedBefore: new Date(at.getTime() - retention.unexportedMs),
      maxUnexported: retention.maxUnexported,
    })
    await store.insights?.pruneRollups(new Date(at.getTime() - retention.rollupsMs))
    state.pruned.exported += pruned.exported
    state.pruned.unexported += pruned.unexported
    if (pruned.unexported > 0) {
      onLog({
        level: 'warn',
        message: `export: retention deleted ${pruned.unexported} events that were never exported`,
      })
    }
    return pruned
  }

  function succeeded(at: Date): void {
    if (state.consecutiveFailures > 0) {
      onLog({
        level: 'info',
        message: `export: the gateway took a batch again after ${state.consecutiveFailures} failed runs`,
      })
    }
    state.consecutiveFailures = 0
    state.nextAttemptAt = 0
    state.lastSuccessAt = at
  }

  function failed(failure: RunFailure, result: ExportRunResult): void {
    const at = now()
    state.failedRuns++
    state.lastError = { message: failure.message, errorClass: failure.errorClass, at }
    result.status = 'failed'
    result.error = failure.message
    if (failure.retryAtOnce) {
      result.nextRunInMs = 0
    } else {
      state.consecutiveFailures++
      const delay = retryDelayMs(
        state.consecutiveFailures,
        config,
        failure.retryAfterMs,
        config.random,
      )
      state.nextAttemptAt = at.getTime() + delay
      result.nextRunInMs = delay
    }
    onLog({
      level: 'warn',
      message: `export: ${failure.message}; ${result.released} events kept for a retry in ${result.nextRunInMs} ms`,
    })
  }

  async function refreshBacklog(): Promise<void> {
    try {
      const stats = await store.stats()
      state.backlog = stats.backlog
      state.oldestUnexportedAt = stats.oldestUnexportedAt
      state.backlogAt = now()
    } catch {
      // Metrics keep their last figures; the run's own result already tells of a store failure.
    }
  }

  function metrics(): ExportMetrics {
    const oldest = state.oldestUnexportedAt
    return {
      mode: config.mode,
      backlog: state.backlog,
      oldestUnexportedAgeSeconds:
        oldest === null ? 0 : Math.max(0, (now().getTime() - oldest.getTime()) / 1000),
      backlogAt: state.backlogAt,
      lastError: state.lastError,
      lastSuccessAt: state.lastSuccessAt,
      runs: state.runs,
      failedRuns: state.failedRuns,
      consecutiveFailures: state.consecutiveFailures,
      exported: state.exported,
      rejected: state.rejected,
      pruned: { ...state.pruned },
    }
  }

  return {
    runOnce: runner.runOnce,
    start: runner.start,
    stop: runner.stop,
    async preview(limit = state.batchLimit, offset = 0) {
      if (config.mode === 'off' || send === undefined) return []
      const rows = await store.peekExport(limit, offset)
      return fitBatch(rows, config).items
    },
    metrics,
    async refreshMetrics() {
      await refreshBacklog()
      return metrics()
    },
  }
}

/** Why a run did not get its batch through; internal to the worker. */
class RunFailure extends Error {
  override name = 'RunFailure'
  constructor(
    message: string,
    readonly errorClass: ExportErrorClass,
    readonly retryAfterMs?: number,
    /** A smaller batch may pass at once (413): no backoff. */
    readonly retryAtOnce = false,
  ) {
    super(message)
  }
}
