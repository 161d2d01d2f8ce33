import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPing } from '../../../src/protocol/ping.js'
import { buildPing } from '../../../src/server/pings/build-ping.js'
import type { PingWorkerOptions } from '../../../src/server/pings/ping-options.js'
import { createPingWorker, type PingWorker } from '../../../src/server/pings/ping-worker.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { tallyVersion } from '../../../src/server/tally-version.js'
import { fakePingGateway, instanceId, instanceKey, listen } from './fake-ping-gateway.js'
import { dayMs, pingDay, plantUsage, storeUsage, type PlantedUse } from './planted-usage.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const iso = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10)
/** Days `from` … `to` as `YYYY-MM-DD`. */
const days = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => iso(from + index))

async function plantedStore(uses: readonly PlantedUse[]): Promise<ServerEventStore> {
  const directory = await mkdtemp(join(tmpdir(), 'tally-ping-'))
  const store = openSqliteStore({ path: join(directory, 'tally.db') })
  cleanups.push(async () => {
    await store.close()
    await rm(directory, { recursive: true, force: true })
  })
  await store.migrate()
  await storeUsage(store, uses)
  return store
}

/** A worker on a planted store against the fake gateway, its clock in the test's hands. */
async function setUp(uses: readonly PlantedUse[], options: Partial<PingWorkerOptions> = {}) {
  const store = await plantedStore(uses)
  const gateway = fakePingGateway()
  const server = await listen(gateway.app)
  const clock = { ms: (pingDay + 1) * dayMs + 60 * 60_000 }
  const worker: PingWorker = createPingWorker({
    store,
    gatewayUrl: server.url,
    instanceId,
    instanceKey,
    now: () => new Date(clock.ms),
    random: () => 0.5,
    ...options,
  })
  cleanups.push(async () => {
    await worker.stop()
    await server.close()
  })
  return { store, gateway, clock, worker }
}

// Each test builds up to 30 pings of three queries: bounds for a loaded machine.
describe('daily ping worker', { timeout: 20_000 }, () => {
  const uses = plantUsage()
  const first = Math.min(...uses.map(use => Math.floor(use.ms / dayMs)))

  it('sends every missed day of the last 30 once, oldest first, as built from the store', async () => {
    // An hour into D+1: D is the last completed day; the store's history starts 45 days before.
    expect(first).toBeLessThan(pingDay - 30)
    const { store, gateway, worker } = await setUp(uses)
    const result = await worker.runOnce()
    expect(result).toMatchObject({ status: 'sent', sent: days(pingDay - 29, pingDay), refused: [] })
    expect(gateway.pings().map(ping => ping.day)).toEqual(days(pingDay - 29, pingDay))
    for (const request of gateway.received) {
      expect(request.headers.get('x-tally-instance')).toBe(instanceId)
      expect(request.headers.get('authorization')).toBe(`Bearer ${instanceKey}`)
      expect(request.headers.get('content-type')).toBe('application/json')
    }
    const last = gateway.pings().at(-1)
    expect(checkPing(last).ok).toBe(true)
    if (store.insights === undefined) throw new Error('SQLite keeps the insights')
    expect(last).toEqual(
      await buildPing(store.insights, {
        instance: instanceId,
        day: pingDay,
        version: tallyVersion,
        store: 'sqlite',
      }),
    )
    // Acknowledged days are not sent again, by this worker or by one started later.
    expect(await worker.runOnce()).toMatchObject({ status: 'idle', sent: [] })
    expect(await worker.pending()).toEqual([])
    const restarted = createPingWorker({
      store,
      gatewayUrl: 'http://127.0.0.1:9',
      instanceId,
      instanceKey,
      now: () => new Date((pingDay + 1) * dayMs + 60 * 60_000),
    })
    expect(await restarted.runOnce()).toMatchObject({ status: 'idle' })
    expect(gateway.received).toHaveLength(30)
    expect(worker.metrics()).toMatchObject({ sent: 30, lastSentDay: iso(pingDay) })
  })

  it('sends the next day once it completes, and nothing before', async () => {
    const { gateway, clock, worker } = await setUp(uses)
    await worker.runOnce()
    // 23:59 of D+1, then 00:05 of D+2 (inside the 15 minutes a day is given to settle).
    for (const at of [(pingDay + 2) * dayMs - 60_000, (pingDay + 2) * dayMs + 5 * 60_000]) {
      clock.ms = at
      expect(await worker.runOnce()).toMatchObject({ status: 'idle' })
    }
    clock.ms = (pingDay + 2) * dayMs + 15 * 60_000
    expect(await worker.runOnce()).toMatchObject({ status: 'sent', sent: [iso(pingDay + 1)] })
    expect(gateway.received).toHaveLength(31)
  })

  it("sends no day before the store's first event, and nothing for an empty store", async () => {
    const recent = uses.filter(use => use.ms >= (pingDay - 3) * dayMs)
    const { gateway, worker } = await setUp(recent)
    const firstRecent = Math.min(...recent.map(use => Math.floor(use.ms / dayMs)))
    await worker.runOnce()
    expect(gateway.pings().map(ping => ping.day)).toEqual(days(firstRecent, pingDay))

    const empty = await setUp([])
    expect(await empty.worker.runOnce()).toMatchObject({ status: 'idle' })
    expect(empty.gateway.received).toEqual([])
  })

  it('backs off after a 503, sends nothing while backing off, then sends each day once', async () => {
    const { gateway, clock, worker, store } = await setUp(uses, { maxMissedDays: 3 })
    gateway.faults.push(() => new Response('{}', { status: 503 }))
    const failed = await worker.runOnce()
    // Full jitter with random() = 0.5 under the first ceiling (1 s).
    expect(failed).toMatchObject({ status: 'failed', sent: [], nextRunInMs: 500 })
    expect(await store.recordedPingDays(0)).toEqual([])
    expect(worker.metrics()).toMatchObject({
      failedRuns: 1,
      consecutiveFailures: 1,
      lastError: { errorClass: 'http-5xx' },
    })
    clock.ms += 499
    expect(await worker.runOnce()).toMatchObject({ status: 'backing-off', nextRunInMs: 1 })
    expect(gateway.received).toHaveLength(1)
    clock.ms += 1
    expect(await worker.runOnce()).toMatchObject({
      status: 'sent',
      sent: days(pingDay - 2, pingDay),
    })
    // The first day went twice (the 503, then its acknowledgement), every other day once.
    expect(gateway.pings().map(ping => ping.day)).toEqual([
      iso(pingDay - 2),
      ...days(pingDay - 2, pingDay),
    ])
    expect(worker.metrics().consecutiveFailures).toBe(0)
  })

  it('takes a Retry-After as the floor of its backoff', async () => {
    const { gateway, worker } = await setUp(uses, { maxMissedDays: 1 })
    gateway.faults.push(
      () => new Response('{}', { status: 503, headers: { 'retry-after': '120' } }),
    )
    expect(await worker.runOnce()).toMatchObject({ status: 'failed', nextRunInMs: 120_000 })
  })

  it('records a day the gateway refuses, and never sends it again', async () => {
    const { gateway, worker, store } = await setUp(uses, { maxMissedDays: 2 })
    gateway.faults.push(
      () =>
        new Response(
          JSON.stringify({
            accepted: [],
            rejected: [{ id: `${instanceId}:${iso(pingDay - 1)}`, reason: 'not today' }],
          }),
          { status: 200 },
        ),
    )
    expect(await worker.runOnce()).toMatchObject({
      status: 'sent',
      sent: [iso(pingDay)],
      refused: [iso(pingDay - 1)],
    })
    expect(await worker.runOnce()).toMatchObject({ status: 'idle' })
    const log = await store.pingLog(10)
    expect(log.map(entry => [entry.day, entry.status, entry.reason])).toEqual([
      [pingDay, 'sent', null],
      [pingDay - 1, 'refused', 'not today'],
    ])
    // The log keeps each ping exactly as it left.
    expect(log.map(entry => entry.body)).toEqual(gateway.received.map(r => r.body).reverse())
  })

  it('treats an answer that names neither way as a failure to retry', async () => {
    const { gateway, worker, store } = await setUp(uses, { maxMissedDays: 1 })
    gateway.faults.push(() => new Response(JSON.stringify({ accepted: [], rejected: [] })))
    expect(await worker.runOnce()).toMatchObject({ status: 'failed' })
    expect(worker.metrics().lastError?.errorClass).toBe('no-acknowledgement')
    expect(await store.recordedPingDays(0)).toEqual([])
  })

  it('in off mode builds nothing, sends nothing and previews nothing', async () => {
    const { gateway, worker } = await setUp(uses, { mode: 'off' })
    expect(await worker.runOnce()).toMatchObject({ status: 'off' })
    worker.start()
    expect(await worker.pending()).toEqual([])
    await worker.stop()
    expect(gateway.received).toEqual([])
  })

  it('previews exactly the bodies the next run sends', async () => {
    const { gateway, worker } = await setUp(uses, { maxMissedDays: 4 })
    const pending = await worker.pending()
    await worker.runOnce()
    expect(pending.map(item => item.body)).toEqual(gateway.received.map(r => r.body))
    expect(pending.map(item => item.ping)).toEqual(gateway.pings())
  })
})
