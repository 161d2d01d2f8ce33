import { createPeriodicRunner } from '../periodic-runner.js'
import { dayMs } from '../stores/rows.js'
import type { GatewayPruneResult, GatewayRetention, GatewayStore } from './gateway-store.js'

export interface GatewayRetentionOptions {
  store: Pick<GatewayStore, 'prune'>
  /** Raw events the instance received longer ago are deleted. @default 90 */
  rawDays?: number
  /** Rollups and pings of days longer ago are deleted. @default 400 */
  rollupDays?: number
  /** @default one hour */
  intervalMs?: number
  /** @default () => new Date() */
  now?: () => Date
  /** Told of each run's result. */
  onPruned?: (result: GatewayPruneResult) => void
  /** Told of a run that failed; the next runs on schedule. */
  onError?: (error: unknown) => void
}

export interface GatewayRetentionTimer {
  /** Stops the schedule and waits for a run under way. Idempotent. */
  stop(): Promise<void>
}

/**
 * The bounds of one prune at `now`, as the instance's export worker sets its own, so that an
 * instance and its gateway keep the same days of rollups.
 */
export function retentionAt(now: Date, rawDays: number, rollupDays: number): GatewayRetention {
  const rollupsBefore = new Date(now.getTime() - rollupDays * dayMs)
  return {
    eventsBefore: new Date(now.getTime() - rawDays * dayMs),
    rollupsBefore,
    pingsBefore: rollupsBefore.toISOString().slice(0, 10),
  }
}

/**
 * Prunes the gateway at start and then every `intervalMs`, one run at a time. The timer is
 * unref'd: retention alone never keeps a process alive.
 */
export function startGatewayRetention(options: GatewayRetentionOptions): GatewayRetentionTimer {
  const rawDays = options.rawDays ?? 90
  const rollupDays = options.rollupDays ?? 400
  const intervalMs = options.intervalMs ?? 3_600_000
  const now = options.now ?? (() => new Date())
  const runner = createPeriodicRunner({
    run: async () => {
      try {
        const result = await options.store.prune(retentionAt(now(), rawDays, rollupDays))
        options.onPruned?.(result)
      } catch (error) {
        options.onError?.(error)
      }
    },
    delayAfterMs: () => intervalMs,
  })
  runner.start()
  return { stop: runner.stop }
}
