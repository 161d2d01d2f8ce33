import type { SendLock } from './platform.js'

export interface LeaseHolder {
  claim(owner: string, leaseMs: number, now: number): Promise<boolean>
  release(owner: string): Promise<void>
}

/**
 * A lock from a leased claim in a shared store, where Web Locks are missing: a holder that
 * dies mid-send frees it when the lease runs out, and a live holder renews it while it sends.
 */
export function leaseLock(holder: Promise<LeaseHolder>, owner: string, leaseMs: number): SendLock {
  return {
    async run(fn) {
      const store = await holder.catch(() => undefined)
      // A store that never opened or was closed (another tab upgraded it) means the queue is
      // this tab's memory fallback: nothing is shared, so nothing needs locking.
      const claimed = store
        ? await store.claim(owner, leaseMs, Date.now()).catch(() => undefined)
        : undefined
      if (claimed === undefined) {
        await fn()
        return true
      }
      if (!claimed) return false
      const renew = setInterval(() => {
        store?.claim(owner, leaseMs, Date.now()).catch(() => {})
      }, leaseMs / 3)
      try {
        await fn()
      } finally {
        clearInterval(renew)
        await store?.release(owner).catch(() => {})
      }
      return true
    },
  }
}
