import type { Platform, SendLock } from './platform.js'

/**
 * A Node host (an editor's extension host): always online as far as the client can tell,
 * with no page lifecycle (the extension calls `shutdown()` when it is deactivated), and one
 * sender at a time across the processes sharing a store directory, through `lock`.
 */
export function nodePlatform(lock: SendLock | undefined): Platform {
  return {
    isOnline: () => true,
    onOnline: () => {},
    onHide: () => {},
    lock,
    spill: undefined,
    // No listeners to remove: the lease lock clears its renewal timer when each send ends.
    dispose: () => {},
  }
}
