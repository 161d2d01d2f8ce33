import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { decodeBatch } from '../../../src/protocol/wire.js'
import { createExportWorker, type ExportWorker } from '../../../src/server/export/export-worker.js'
import type { ExportWorkerOptions } from '../../../src/server/export/export-options.js'
import { ingested } from '../../support/server-events.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'

// The schedule is about timers, so the gateway here is a fetch function that answers at once:
// with fake timers, a real socket's own timers would stall.
const start = Date.parse('2024-05-01T12:01:00.000Z')

const workers: ExportWorker[] = []
beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(start)
})
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop()
  vi.useRealTimers()
})

type Answer = () => Response

/** Answers scripted responses in order, then acknowledges every id it is sent. */
function fakeGateway(script: Answer[] = []) {
  const sent: string[][] = []
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    const decoded = decodeBatch(typeof init?.body === 'string' ? init.body : '')
    const ids = decoded.ok ? decoded.batch.events.map(event => event.id) : []
    sent.push(ids)
    const scripted = script.shift()
    if (scripted) return scripted()
    return new Response(JSON.stringify({ accepted: ids, rejected: [] }), { status: 200 })
  }) as typeof globalThis.fetch
  return { fetch, sent }
}

function scheduled(options: Partial<ExportWorkerOptions>) {
  const store = createMemoryServerEventStore(() => Date.now())
  const worker = createExportWorker({
    store,
    gatewayUrl: 'https://gateway.example.com',
    instanceId: 'acme',
    instanceKey: 'acme-key',
    random: () => 0.5,
    ...options,
  })
  workers.push(worker)
  return { store, worker }
}

describe('export worker schedule', () => {
  it('runs at once on start, then every intervalMs', async () => {
    const gateway = fakeGateway()
    const { store, worker } = scheduled({ fetch: gateway.fetch })
    await store.insert([ingested()])
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gateway.sent).toHaveLength(1)

    await store.insert([ingested()])
    await vi.advanceTimersByTimeAsync(59_999)
    expect(gateway.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(gateway.sent).toHaveLength(2)
  })

  it('waits as long as Retry-After asks after a 503, then sends the batch again', async () => {
    const gateway = fakeGateway([
      () => new Response('', { status: 503, headers: { 'retry-after': '30' } }),
    ])
    const { store, worker } = scheduled({ fetch: gateway.fetch })
    const row = ingested()
    await store.insert([row])
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gateway.sent).toEqual([[row.event.id]])
    await vi.advanceTimersByTimeAsync(29_999)
    expect(gateway.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(gateway.sent).toEqual([[row.event.id], [row.event.id]])
    expect(worker.metrics()).toMatchObject({ exported: 1, failedRuns: 1, consecutiveFailures: 0 })
  })

  it('retries after a jittered delay, sooner than the interval, when no Retry-After is given', async () => {
    const gateway = fakeGateway([() => new Response('', { status: 502 })])
    const { store, worker } = scheduled({ fetch: gateway.fetch, initialRetryDelayMs: 1_000 })
    await store.insert([ingested()])
    worker.start()
    await vi.advanceTimersByTimeAsync(499)
    expect(gateway.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(gateway.sent).toHaveLength(2)
  })

  it('drains a backlog batch after batch without waiting for the interval', async () => {
    const gateway = fakeGateway()
    const { store, worker } = scheduled({ fetch: gateway.fetch, maxBatchEvents: 2 })
    await store.insert(Array.from({ length: 5 }, () => ingested()))
    worker.start()
    // Well before the 60 s interval: each drain step is a timer of 0 ms.
    for (let step = 0; step < 5; step++) await vi.advanceTimersByTimeAsync(1)
    expect(gateway.sent.map(ids => ids.length)).toEqual([2, 2, 1])
    expect(worker.metrics()).toMatchObject({ exported: 5, backlog: 0 })
  })

  it('does not loop on ids the gateway keeps ignoring', async () => {
    const ignoreSecond = () =>
      new Response(JSON.stringify({ accepted: [gatewaySent.at(-1)?.[0]], rejected: [] }))
    const gateway = fakeGateway([ignoreSecond, ignoreSecond, ignoreSecond])
    const gatewaySent = gateway.sent
    const { store, worker } = scheduled({ fetch: gateway.fetch, maxBatchEvents: 2 })
    await store.insert([ingested(), ingested()])
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gateway.sent).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(gateway.sent).toHaveLength(2)
  })

  it('starts once however often start is called, and stop ends the schedule', async () => {
    const gateway = fakeGateway()
    const { store, worker } = scheduled({ fetch: gateway.fetch })
    await store.insert([ingested()])
    worker.start()
    worker.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(gateway.sent).toHaveLength(1)
    await worker.stop()
    await worker.stop()
    await store.insert([ingested()])
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(gateway.sent).toHaveLength(1)
  })

  it('in off mode runs retention on schedule and never calls fetch', async () => {
    const gateway = fakeGateway()
    const { store, worker } = scheduled({ fetch: gateway.fetch, mode: 'off' })
    await store.insert([ingested()])
    worker.start()
    await vi.advanceTimersByTimeAsync(3 * 60_000)
    expect(gateway.sent).toHaveLength(0)
    expect(worker.metrics().runs).toBe(4)
  })
})
