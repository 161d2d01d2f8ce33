import type { StoredEvent } from '../stores/event-store.js'
import type { Platform, SendLock, Spill } from './platform.js'

/** The page's origin, the default instance for a web app; undefined outside a page. */
export function pageOrigin(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.origin
}

const spillPrefix = 'tally-telemetry:spill:'
/** A spill is a last resort for a few moments' events, not a second queue. */
const maxSpillBytes = 512 * 1024

function localStorageSpill(owner: string): Spill | undefined {
  let storage: Storage
  try {
    // Reading the property throws where storage is blocked (sandboxed frames, some privacy modes).
    storage = localStorage
  } catch {
    return undefined
  }
  return {
    save(events) {
      let bytes = 0
      const kept = []
      // Newest first, so that a bound cuts the oldest, as the queue does.
      for (let index = events.length - 1; index >= 0 && bytes < maxSpillBytes; index--) {
        const entry = events[index] as StoredEvent
        bytes += entry.bytes
        kept.unshift(entry.event)
      }
      try {
        if (kept.length > 0) storage.setItem(spillPrefix + owner, JSON.stringify(kept))
      } catch {
        // Quota or blocked storage: the events may still reach the queue or the keepalive send.
      }
    },
    take() {
      const texts: string[] = []
      try {
        for (const key of Object.keys(storage)) {
          // This client's own spill (a page back from the back-forward cache) holds events
          // it still has: the next load takes it.
          if (!key.startsWith(spillPrefix) || key === spillPrefix + owner) continue
          const text = storage.getItem(key)
          storage.removeItem(key)
          if (text !== null) texts.push(text)
        }
      } catch {
        // Storage blocked since: what was taken before is kept.
      }
      return texts
    },
  }
}

/**
 * The browser host: online state, page lifecycle and the unload spill; `lock` is the cross-tab
 * lock, which comes with the sender's chunk (browser-lock.ts).
 */
export function browserPlatform(owner: string, lock: SendLock | undefined): Platform {
  const hasWindow = typeof window !== 'undefined' && typeof document !== 'undefined'
  // Aborting it removes every listener added with its signal: none outlives `dispose()`.
  const listening = new AbortController()
  const listen = (target: EventTarget, type: string, listener: () => void) => {
    target.addEventListener(type, listener, { signal: listening.signal })
  }
  return {
    isOnline: () => typeof navigator === 'undefined' || navigator.onLine,
    onOnline(listener) {
      if (hasWindow) listen(window, 'online', listener)
    },
    onHide(listener) {
      if (!hasWindow) return
      listen(window, 'pagehide', () => {
        listener(true)
      })
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden') listener(false)
      })
    },
    // Safari has no requestIdleCallback; the timeout bounds the wait on a page never idle.
    whenIdle: fn =>
      typeof requestIdleCallback === 'function'
        ? requestIdleCallback(fn, { timeout: 2_000 })
        : setTimeout(fn, 200),
    lock,
    spill: hasWindow ? localStorageSpill(owner) : undefined,
    dispose() {
      listening.abort()
    },
  }
}
