import type { DropReason } from './errors/events-dropped-error.js'

export type StorageKind = 'memory' | 'indexeddb' | 'file'

/** A snapshot of the client's counters since it was created. */
export interface TelemetryStats {
  /** Events recorded and not yet acknowledged, in memory and in the store. */
  queued: number
  /** Events the backend acknowledged. */
  sent: number
  /** Sends that failed and were scheduled again. */
  retries: number
  /** Where the queue lives now; `memory` after a durable store failed. */
  storage: StorageKind
  /** Events dropped on purpose, by reason. */
  dropped: Record<DropReason, number>
}

export interface Counters {
  sent: number
  retries: number
  dropped: Record<DropReason, number>
}

export function createCounters(): Counters {
  return {
    sent: 0,
    retries: 0,
    dropped: { overflow: 0, invalid: 0, rejected: 0, disabled: 0, shutdown: 0 },
  }
}
