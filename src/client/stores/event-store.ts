import type { TelemetryEvent } from '../../protocol/event.js'
import type { StorageKind } from '../stats.js'

/** A queued event with its encoded size, measured once at record time. */
export interface StoredEvent {
  event: TelemetryEvent
  bytes: number
}

export interface AppendResult {
  /** Events in the store after the append. */
  count: number
  /** Oldest events dropped to stay within the bounds. */
  dropped: number
}

/**
 * The durable queue behind a client. Bounded by count and bytes: an append past either
 * bound drops the oldest events first and says how many.
 */
export interface EventStore {
  readonly kind: StorageKind
  append(events: readonly StoredEvent[]): Promise<AppendResult>
  /** The oldest events, up to `maxEvents` and `maxBytes`, but always one if any is queued. */
  peek(maxEvents: number, maxBytes: number): Promise<StoredEvent[]>
  /** Removes these ids; resolves with the count left. Unknown ids are ignored. */
  remove(ids: readonly string[]): Promise<number>
  count(): Promise<number>
  /** Removes everything; resolves with how many events were removed. */
  clear(): Promise<number>
  close(): Promise<void>
}

export interface StoreBounds {
  maxEvents: number
  maxBytes: number
}
