import { leaseLock, type LeaseHolder } from './lease-lock.js'
import type { SendLock } from './platform.js'

const lockName = 'tally-telemetry:send'

/**
 * The one-sender-per-origin lock: Web Locks where the browser has them, else a leased claim in
 * the queue's database (`leases`), else none (a queue of the page's own). Only a sender takes
 * it, so it comes with the sender's chunk.
 */
export function browserLock(
  leases: Promise<LeaseHolder> | undefined,
  owner: string,
): SendLock | undefined {
  const locks =
    typeof navigator === 'undefined' ? undefined : (navigator.locks as LockManager | undefined)
  if (!locks) return leases && leaseLock(leases, owner, 30_000)
  return {
    run: fn =>
      locks.request(lockName, { ifAvailable: true }, async lock => {
        if (!lock) return false
        await fn()
        return true
      }),
  }
}
