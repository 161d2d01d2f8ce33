import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPeriodicRunner, type PeriodicRunner } from '../../src/server/periodic-runner.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A runner whose passes count themselves and ask for the next delays in `delays`, in order. */
function counting(delays: number[]) {
  let passes = 0
  const runner = createPeriodicRunner({
    run: async () => ++passes,
    delayAfterMs: pass => delays[pass - 1] ?? 1_000,
  })
  return { runner, passes: () => passes }
}

describe('periodic runner', () => {
  it('runs at once on start, then after each delay the last pass asked for', async () => {
    const { runner, passes } = counting([500, 2_000])
    runner.start()
    runner.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(passes()).toBe(1)
    await vi.advanceTimersByTimeAsync(499)
    expect(passes()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(passes()).toBe(2)
    await vi.advanceTimersByTimeAsync(1_999)
    expect(passes()).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(passes()).toBe(3)
    await runner.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(passes()).toBe(3)
  })

  it('shares one pass between concurrent callers', async () => {
    let release: () => void = () => undefined
    const run = vi.fn(
      () =>
        new Promise<string>(resolve => {
          release = () => resolve('done')
        }),
    )
    const runner = createPeriodicRunner({ run, delayAfterMs: () => 0 })
    const [a, b] = [runner.runOnce(), runner.runOnce()]
    release()
    expect(await a).toBe('done')
    expect(await b).toBe('done')
    expect(run).toHaveBeenCalledTimes(1)
  })

  it('on stop aborts the send in flight and waits for the pass to end', async () => {
    const seen: string[] = []
    const runner: PeriodicRunner<string> = createPeriodicRunner({
      run: async () => {
        const outcome = await runner.abortable(
          signal =>
            new Promise<string>(resolve => {
              signal.addEventListener('abort', () => resolve('aborted'))
            }),
        )
        seen.push(outcome)
        return outcome
      },
      delayAfterMs: () => 0,
    })
    runner.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([])
    await runner.stop()
    expect(seen).toEqual(['aborted'])
    await runner.stop()
  })

  it('leaves a send started after a stop alone', async () => {
    const runner = createPeriodicRunner({ run: async () => 0, delayAfterMs: () => 0 })
    await runner.stop()
    const signal = await runner.abortable(async given => given)
    expect(signal.aborted).toBe(false)
  })

  it('holds no process open: its timer is unref-ed', async () => {
    vi.useRealTimers()
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const { runner } = counting([])
    runner.start()
    const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout
    setTimeoutSpy.mockRestore()
    expect(timer.hasRef()).toBe(false)
    await runner.stop()
  })
})
