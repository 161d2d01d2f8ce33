import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPingWorker } from '../../../src/server/pings/ping-worker.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { fakePingGateway, instanceId, instanceKey } from './fake-ping-gateway.js'
import { dayMs, pingDay, plantUsage, storeUsage } from './planted-usage.js'

// The schedule is about timers, so the gateway's app answers through fetch at once: with
// fake timers, a real socket's own timers would stall. The SQLite store is synchronous.
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  vi.useRealTimers()
})

describe('daily ping schedule', () => {
  it('runs at start, then once as each UTC day completes, with timers that hold no process', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tally-ping-schedule-'))
    const store = openSqliteStore({ path: join(directory, 'tally.db') })
    cleanups.push(async () => {
      await store.close()
      await rm(directory, { recursive: true, force: true })
    })
    await store.migrate()
    await storeUsage(store, plantUsage())
    vi.useFakeTimers()
    // Noon of D+1: D is the last completed day.
    vi.setSystemTime((pingDay + 1) * dayMs + 12 * 60 * 60_000)
    const gateway = fakePingGateway()
    const worker = createPingWorker({
      store,
      gatewayUrl: 'https://gateway.example.com',
      instanceId,
      instanceKey,
      maxMissedDays: 2,
      fetch: async (url: string | URL | Request, init?: RequestInit) =>
        gateway.app.fetch(new Request(url, init)),
    })
    cleanups.push(() => worker.stop())
    worker.start()
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    const days = () => gateway.pings().map(ping => ping.day)
    expect(days()).toEqual(['2026-11-19', '2026-11-20'])
    // Nothing more until D+2's midnight plus the 15 minutes given to late events.
    await vi.advanceTimersByTimeAsync(12 * 60 * 60_000 + 15 * 60_000 - 1)
    expect(days()).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(days()).toEqual(['2026-11-19', '2026-11-20', '2026-11-21'])
    await vi.advanceTimersByTimeAsync(dayMs)
    expect(days()).toEqual(['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'])
    await worker.stop()
    await vi.advanceTimersByTimeAsync(3 * dayMs)
    expect(days()).toHaveLength(4)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('retries a failed run after its backoff rather than the next day', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tally-ping-schedule-'))
    const store = openSqliteStore({ path: join(directory, 'tally.db') })
    cleanups.push(async () => {
      await store.close()
      await rm(directory, { recursive: true, force: true })
    })
    await store.migrate()
    await storeUsage(store, plantUsage())
    vi.useFakeTimers()
    vi.setSystemTime((pingDay + 1) * dayMs + 12 * 60 * 60_000)
    const gateway = fakePingGateway()
    gateway.faults.push(() => new Response('{}', { status: 503 }))
    const worker = createPingWorker({
      store,
      gatewayUrl: 'https://gateway.example.com',
      instanceId,
      instanceKey,
      maxMissedDays: 1,
      random: () => 0.5,
      fetch: async (url: string | URL | Request, init?: RequestInit) =>
        gateway.app.fetch(new Request(url, init)),
    })
    cleanups.push(() => worker.stop())
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gateway.received).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(499)
    expect(gateway.received).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(gateway.received).toHaveLength(2)
    expect(await store.recordedPingDays(0)).toEqual([pingDay])
  })
})
