import type { Platform, Spill } from '../../src/client/platform/platform.js'
import type { StoredEvent } from '../../src/client/stores/event-store.js'

/**
 * A page whose idle periods and unload a test drives. Its spill hands back what an earlier
 * page saved (`leftover`) through JSON, as localStorage does.
 */
export function fakePage(leftover: StoredEvent[] = []) {
  const idle: (() => void)[] = []
  const hide: ((final: boolean) => void)[] = []
  const spilled: StoredEvent[][] = []
  const spill: Spill = {
    save: events => spilled.push([...events]),
    takeAll: () =>
      leftover.splice(0).map(entry => {
        const event = JSON.parse(JSON.stringify(entry.event)) as StoredEvent['event']
        return { ...event, timestamp: new Date(event.timestamp) }
      }),
  }
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
    idle,
    unload() {
      for (const listener of hide) listener(true)
    },
  }
}
