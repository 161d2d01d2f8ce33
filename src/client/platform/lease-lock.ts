import type { SendLock } from './platform.js'

export interface LeaseHolder {
  claim(owner: string, leaseMs: number, now: number): Promise<boolean>
  release(owner: string): Promise<void>
}

/** A {@link SendLock} from a lease, which can be told to wait for the lease at shutdown. */
export interface LeaseLock extends SendLock {
  /**
   * Until `deadline` (epoch ms), a run that finds the lease held looks again every
   * {@link leasePollMs} while `worthWaiting` resolves true (events are queued), and runs once
   * the lease frees, instead of resolving false at once. For a process about to exit, which
   * has no later flush to leave its events to.
   */
  waitUntil(deadline: number, worthWaiting: () => Promise<boolean>): void
}

/** How often a run waiting for the lease looks at it again. */
export const leasePollMs = 50

/**
 * A lock from a leased claim in a shared store, where Web Locks are missing: a holder that
 * dies mid-send frees it when the lease runs out, and a live holder renews it while it sends.
 */
export function leaseLock(holder: Promise<LeaseHolder>, owner: string, leaseMs: number): LeaseLock {
  let wait: { deadline: number; worthWaiting: () => Promise<boolean> } | undefined

  const claim = (store: LeaseHolder) =>
    store.claim(owner, leaseMs, Date.now()).catch(() => undefined)

  /** Claims the lease, waiting for it as `wait` says; undefined if the store failed. */
  const acquire = async (store: LeaseHolder): Promise<boolean | undefined> => {
    let claimed = await claim(store)
    while (
      claimed === false &&
      wait &&
      Date.now() < wait.deadline &&
      (await wait.worthWaiting().catch(() => false))
    ) {
      const { deadline } = wait
      await new Promise(resolve =>
        setTimeout(resolve, Math.min(leasePollMs, deadline - Date.now())),
      )
      claimed = await claim(store)
    }
    return claimed
  }

  return {
    waitUntil(deadline, worthWaiting) {
      wait = { deadline, worthWaiting }
    },
    async run(fn) {
      const store = await holder.catch(() => undefined)
      // A store that never opened or was closed (another tab upgraded it) means the queue is
      // this tab's memory fallback: nothing is shared, so nothing needs locking.
      const claimed = store ? await acquire(store) : undefined
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
