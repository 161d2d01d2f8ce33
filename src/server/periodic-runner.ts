export interface PeriodicRunnerOptions<T> {
  /**
   * One pass. It reports its own failures in its result: a rejection reaches `runOnce`'s and
   * `stop`'s callers, and ends the schedule.
   */
  run: () => Promise<T>
  /** How long after a pass the next one starts, from the pass's result. */
  delayAfterMs: (result: T) => number
}

/**
 * One pass at a time, on a schedule the passes set, that a stop cuts short. Its members are
 * plain functions, with no `this`: a worker hands them on as its own.
 */
export interface PeriodicRunner<T> {
  /** Runs a pass; concurrent calls share it. */
  readonly runOnce: () => Promise<T>
  /** Runs a pass at once, then each next one `delayAfterMs(result)` after the last. Idempotent. */
  readonly start: () => void
  /** Stops the schedule, aborts the send in flight and waits for the pass. Idempotent. */
  readonly stop: () => Promise<void>
  /** Runs one send with a signal that `stop` aborts. */
  readonly abortable: <R>(send: (signal: AbortSignal) => Promise<R>) => Promise<R>
}

/** The schedule the export and ping workers and the gateway's retention share. */
export function createPeriodicRunner<T>(options: PeriodicRunnerOptions<T>): PeriodicRunner<T> {
  let inFlight: Promise<T> | undefined
  let current: AbortController | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false

  const runOnce = (): Promise<T> => {
    inFlight ??= options.run().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  function schedule(delayMs: number): void {
    if (!running) return
    timer = setTimeout(() => {
      timer = undefined
      void runOnce().then(result => schedule(options.delayAfterMs(result)))
    }, delayMs)
    // The worker alone must not keep a process alive (a CLI run, a test).
    timer.unref()
  }

  return {
    runOnce,
    start() {
      if (running) return
      running = true
      schedule(0)
    },
    async stop() {
      running = false
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      current?.abort()
      if (inFlight) await inFlight
    },
    async abortable(send) {
      current = new AbortController()
      try {
        return await send(current.signal)
      } finally {
        current = undefined
      }
    },
  }
}
