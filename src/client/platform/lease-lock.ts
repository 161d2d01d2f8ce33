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
      const store = await holder
      if (!(await store.claim(owner, leaseMs, Date.now()))) return false
      const renew = setInterval(() => {
        store.claim(owner, leaseMs, Date.now()).catch(() => {})
      }, leaseMs / 3)
      try {
        await fn()
      } finally {
        clearInterval(renew)
        await store.release(owner).catch(() => {})
      }
      return true
    },
  }
}
