import type { StoredEvent } from '../stores/event-store.js'

/** Runs a send loop only where no other tab or window is running one. */
export interface SendLock {
  /** Runs `fn` holding the lock and resolves true, or resolves false at once if another holds it. */
  run(fn: () => Promise<void>): Promise<boolean>
}

/** A synchronous store for events whose durable write may never commit (page unload). */
export interface Spill {
  save(events: readonly StoredEvent[]): void
  /**
   * Takes what earlier pages and other tabs spilled (not this client's own), as stored: the
   * queue reads it back with `readSpilled` (spill-read.ts) once the judge's chunk is here.
   */
  take(): string[]
}

/**
 * What the client needs from its host (a page, an extension host). The core never touches
 * `window`, `document` or `navigator`: implementations live in this folder.
 */
export interface Platform {
  isOnline: () => boolean
  onOnline(listener: () => void): void
  /** The host may be going away: `final` at `pagehide`, not at a mere `visibilitychange`. */
  onHide(listener: (final: boolean) => void): void
  lock: SendLock | undefined
  spill: Spill | undefined
  /** Runs `fn` in an idle period, soon. @default a zero-delay timer */
  whenIdle?: (fn: () => void) => void
  /** Removes every listener and timer the platform holds: called once, by `shutdown()`. */
  dispose(): void
}

/** A host with no lifecycle to speak of (tests, plain Node scripts). */
export const nullPlatform: Platform = {
  isOnline: () => true,
  onOnline: () => {},
  onHide: () => {},
  lock: undefined,
  spill: undefined,
  dispose: () => {},
}
