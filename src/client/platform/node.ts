import { newId } from '../ids.js'
import { leaseLock, type LeaseHolder } from './lease-lock.js'
import type { Platform } from './platform.js'

/**
 * A Node host (an editor's extension host): always online as far as the client can tell,
 * with no page lifecycle (the extension calls `shutdown()` when it is deactivated), and one
 * sender at a time across the processes sharing a store directory, through its lease.
 */
export function nodePlatform(leases: Promise<LeaseHolder> | undefined, leaseMs: number): Platform {
  // The pid tells an operator (and the multi-process test) which process holds the lease.
  const owner = `${process.pid}.${newId()}`
  return {
    isOnline: () => true,
    onOnline: () => {},
    onHide: () => {},
    lock: leases && leaseLock(leases, owner, leaseMs),
    spill: undefined,
    // No listeners to remove: the lease lock clears its renewal timer when each send ends.
    dispose: () => {},
  }
}
