import type { Platform, Spill } from '../../src/client/platform/platform.js'
import type { StoredEvent } from '../../src/client/stores/event-store.js'

/**
 * A spill that keeps what is saved (`spilled`) and hands back what an earlier page saved
 * (`leftover`) as the browser's does: the events as JSON text.
 */
export function fakeSpill(leftover: StoredEvent[] = []) {
  const spilled: StoredEvent[][] = []
  const spill: Spill = {
    save: events => spilled.push([...events]),
    take: () =>
      leftover.length === 0 ? [] : [JSON.stringify(leftover.splice(0).map(entry => entry.event))],
  }
  return { spill, spilled, leftover }
}

/** A page whose idle periods and unload a test drives, with a `fakeSpill`. */
export function fakePage(leftover: StoredEvent[] = []) {
  const idle: (() => void)[] = []
  const hide: ((final: boolean) => void)[] = []
  const { spill, spilled } = fakeSpill(leftover)
  const platform: Platform = {
    isOnline: () => true,
    onOnline: () => {},
    onHide: listener => hide.push(listener),
    lock: undefined,
    spill,
    whenIdle: load => idle.push(load),
    dispose: () => {},
  }
  return {
    platform,
    spilled,
    /** What an earlier page spilled and this one has not taken back yet. */
    leftover,
    idle,
    unload() {
      for (const listener of hide) listener(true)
    },
  }
}
