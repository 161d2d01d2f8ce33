import type { SendLock } from './platform.js'

/** A {@link SendLock} that can be told to wait for the lock rather than give up at once. */
export interface WaitingLock extends SendLock {
  /**
   * Until `deadline` (epoch ms), a run that finds the lock held tries again every
   * {@link lockPollMs} while `worthWaiting` resolves true (events are queued), instead of
   * resolving false at once. For a process about to exit, which has no later flush to leave
   * its events to.
   */
  waitUntil(deadline: number, worthWaiting: () => Promise<boolean>): void
}

/** How often a run waiting for the lock tries it again. */
export const lockPollMs = 50

/** Wraps `lock` so that it can wait; until told to, it behaves as `lock`. */
export function waitingLock(lock: SendLock): WaitingLock {
  let wait: { deadline: number; worthWaiting: () => Promise<boolean> } | undefined
  return {
    waitUntil(deadline, worthWaiting) {
      wait = { deadline, worthWaiting }
    },
    async run(fn) {
      let ran = await lock.run(fn)
      while (
        !ran &&
        wait &&
        Date.now() < wait.deadline &&
        (await wait.worthWaiting().catch(() => false))
      ) {
        const { deadline } = wait
        await new Promise(resolve =>
          setTimeout(resolve, Math.min(lockPollMs, deadline - Date.now())),
        )
        ran = await lock.run(fn)
      }
      return ran
    },
  }
}
