import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  retentionAt,
  startGatewayRetention,
} from '../../../src/server/gateway/gateway-retention.js'
import type { GatewayRetention } from '../../../src/server/gateway/gateway-store.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('gateway retention', () => {
  it('cuts raw events by days before now, rollups and pings by the same day as the instance', () => {
    const now = new Date('2026-11-27T15:30:00.000Z')
    expect(retentionAt(now, 90, 400)).toEqual({
      eventsBefore: new Date('2026-08-29T15:30:00.000Z'),
      rollupsBefore: new Date('2025-10-23T15:30:00.000Z'),
      pingsBefore: '2025-10-23',
    })
  })

  it('prunes at start and then every interval, and stops on stop', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-27T00:00:00.000Z') })
    const runs: GatewayRetention[] = []
    const timer = startGatewayRetention({
      store: {
        prune: async retention => {
          runs.push(retention)
          return { events: 0, rollupRows: 0, pings: 0 }
        },
      },
      rawDays: 1,
      rollupDays: 2,
      intervalMs: 60_000,
    })
    await vi.advanceTimersByTimeAsync(0)
    expect(runs.map(run => run.pingsBefore)).toEqual(['2026-11-25'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(runs).toHaveLength(2)
    await timer.stop()
    await vi.advanceTimersByTimeAsync(600_000)
    expect(runs).toHaveLength(2)
  })

  it('reports a failed run and runs again on schedule', async () => {
    vi.useFakeTimers()
    const errors: unknown[] = []
    let calls = 0
    const timer = startGatewayRetention({
      store: {
        prune: async () => {
          calls += 1
          throw new Error('database down')
        },
      },
      intervalMs: 1_000,
      onError: error => errors.push(error),
    })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(calls).toBe(2)
    expect(errors).toEqual([new Error('database down'), new Error('database down')])
    await timer.stop()
  })
})
