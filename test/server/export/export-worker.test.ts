import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseAllowlist } from '../../../src/protocol/export-redaction.js'
import { redactable } from '../../../src/protocol/redactable.js'
import { decodeBatch } from '../../../src/protocol/wire.js'
import {
  normalizeExportOptions,
  type ExportWorkerOptions,
} from '../../../src/server/export/export-options.js'
import { createExportWorker } from '../../../src/server/export/export-worker.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { ingested } from '../../support/server-events.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'
import {
  answer,
  instanceId,
  instanceKey,
  memoryStore,
  startHarness,
  testClock,
  worker,
} from './harness.js'

const directories: string[] = []
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

const day = 24 * 60 * 60_000

type StoreMaker = (clock: { ms: number }) => Promise<ServerEventStore>

const storeMakers: [string, StoreMaker][] = [
  ['an in-memory store', async clock => memoryStore(clock)],
  [
    'the SQLite store',
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'tally-export-'))
      directories.push(directory)
      const store = openSqliteStore({ path: join(directory, 'tally.db') })
      await store.migrate()
      return store
    },
  ],
]

describe.each(storeMakers)('export worker ↔ gateway, on %s', (_name, makeStore) => {
  it('exports every row once and marks the acknowledged ones', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = await makeStore(clock)
    const rows = [ingested(), ingested(), ingested()]
    await store.insert(rows)
    const exporter = worker(harness, store, { now: clock.now })

    const first = await exporter.runOnce()
    expect(first).toMatchObject({ status: 'exported', sent: 3, accepted: 3, rejected: 0 })
    expect(await harness.received()).toEqual(rows.map(row => row.event.id))
    const stored = await store.get(rows.map(row => row.event.id))
    expect(stored.map(row => row.exportedAt)).toEqual(rows.map(() => clock.now()))

    clock.advance(60_000)
    expect(await exporter.runOnce()).toMatchObject({ status: 'idle', sent: 0 })
    expect(harness.requests).toHaveLength(1)
    expect(exporter.metrics()).toMatchObject({ exported: 3, backlog: 0, runs: 2, failedRuns: 0 })
  })

  it('marks events the gateway refused and never sends them again', async () => {
    const clock = testClock()
    const harness = await startHarness({ maxEventBytes: 4096 })
    const store = await makeStore(clock)
    const big = ingested({ privateMetadata: { blob: 'x'.repeat(5000) } })
    const small = ingested()
    await store.insert([big, small])
    const exporter = worker(harness, store, { now: clock.now, mode: 'full' })

    expect(await exporter.runOnce()).toMatchObject({ accepted: 1, rejected: 1 })
    const [refused] = await store.get([big.event.id])
    expect(refused?.exportRejection).toMatch(/^oversized/)
    clock.advance(60_000)
    expect(await exporter.runOnce()).toMatchObject({ status: 'idle' })
    expect(harness.requests).toHaveLength(1)
    expect(await harness.received()).toEqual([small.event.id])
    expect(exporter.metrics()).toMatchObject({ exported: 1, rejected: 1, backlog: 0 })
  })

  it('keeps the batch through a 503 and delivers it once the gateway recovers', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = await makeStore(clock)
    const rows = [ingested(), ingested()]
    await store.insert(rows)
    const exporter = worker(harness, store, { now: clock.now })
    harness.faults.push(() => answer(503))

    const failed = await exporter.runOnce()
    expect(failed).toMatchObject({ status: 'failed', sent: 2, released: 2 })
    expect(failed.error).toBe('HTTP 503: try later')
    expect((await store.get(rows.map(r => r.event.id))).map(r => r.exportedAt)).toEqual([
      null,
      null,
    ])
    expect(exporter.metrics()).toMatchObject({
      failedRuns: 1,
      consecutiveFailures: 1,
      backlog: 2,
      lastError: { message: 'HTTP 503: try later', at: clock.now() },
    })

    // The jitter drew 0, so the retry may go at once: released rows are claimable again.
    const recovered = await exporter.runOnce()
    expect(recovered).toMatchObject({ status: 'exported', accepted: 2 })
    expect(await harness.received()).toEqual(rows.map(r => r.event.id))
    expect(exporter.metrics()).toMatchObject({ consecutiveFailures: 0, exported: 2, backlog: 0 })
  })
})

describe('export worker: what leaves', () => {
  it('posts to /v1/events with the instance headers and a superjson batch', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    await worker(harness, store, { now: clock.now }).runOnce()

    const [request] = harness.requests
    expect(request?.method).toBe('POST')
    expect(request?.headers.get('authorization')).toBe(`Bearer ${instanceKey}`)
    expect(request?.headers.get('x-tally-instance')).toBe(instanceId)
    expect(request?.headers.get('content-type')).toBe('application/json')
    const decoded = decodeBatch(request?.body ?? '')
    expect(decoded.ok && decoded.batch.sentAt).toEqual(clock.now())
  })

  it('sends only allowlisted privateMetadata in redact mode, with unsafe parts as ‹×›', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const secretPath = '/home/alice/top-secret.ts'
    const row = ingested({
      privateMetadata: {
        query: redactable`repo:${'acme/secret-repo'} lang:go`,
        path: secretPath,
      },
    })
    await store.insert([row])
    const allowlist = parseAllowlist(['search::submitted::query'])
    await worker(harness, store, { now: clock.now, allowlist }).runOnce()

    const body = harness.requests[0]?.body ?? ''
    expect(body).not.toContain('secret-repo')
    expect(body).not.toContain(secretPath)
    const [event] = await harness.listing()
    expect(event?.parameters).toEqual({
      version: 1,
      metadata: { regex: 1, resultCount: 37 },
      privateMetadata: { query: 'repo:‹×› lang:go' },
      billingMetadata: { product: 'code-search', category: 'core' },
      interactionId: 'interaction-0001',
    })
    expect(event).toMatchObject({
      id: row.event.id,
      timestamp: row.correctedTimestamp.toISOString(),
      clientTimestamp: row.event.timestamp.toISOString(),
      userId: 7,
      receivedAt: row.receivedAt.toISOString(),
    })
  })

  it('sends privateMetadata as stored in full mode', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const privateMetadata = { query: redactable`repo:${'acme/x'}`, path: '/src/a.ts' }
    await store.insert([ingested({ privateMetadata })])
    await worker(harness, store, { now: clock.now, mode: 'full' }).runOnce()
    const [event] = await harness.listing()
    expect((event?.parameters as Record<string, unknown>).privateMetadata).toEqual(privateMetadata)
  })

  it('previews exactly what the next run sends, without claiming anything', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([
      ingested({ privateMetadata: { query: redactable`a ${'b'}`, other: 'x' } }),
      ingested(),
    ])
    const exporter = worker(harness, store, {
      now: clock.now,
      allowlist: parseAllowlist(['search::submitted::query']),
    })

    const preview = await exporter.preview()
    expect(store.calls.claims).toBe(0)
    expect(preview[0]?.removed).toEqual([
      { path: ['parameters', 'privateMetadata', 'query'], kind: 'unsafe-string' },
      { path: ['parameters', 'privateMetadata', 'other'], kind: 'not-allowlisted' },
    ])
    await exporter.runOnce()
    expect(await harness.listing()).toEqual(
      JSON.parse(JSON.stringify(preview.map(item => item.exported))) as unknown,
    )
    expect(await exporter.preview()).toEqual([])
  })

  it('limits a preview to the count asked for', async () => {
    const clock = testClock()
    const store = memoryStore(clock)
    await store.insert([ingested(), ingested(), ingested()])
    const exporter = worker({ url: 'https://gateway.example.com' }, store, { now: clock.now })
    expect(await exporter.preview(2)).toHaveLength(2)
  })
})

describe('export worker: off mode', () => {
  it('never contacts the gateway, runs retention, and previews nothing', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested(), ingested({ receivedAt: new Date(clock.ms - 91 * day) })])
    const exporter = worker(harness, store, { now: clock.now, mode: 'off' })

    const result = await exporter.runOnce()
    expect(result).toMatchObject({ status: 'off', sent: 0, pruned: { exported: 0, unexported: 1 } })
    expect(await exporter.preview()).toEqual([])
    expect(harness.requests).toHaveLength(0)
    expect(store.calls.claims).toBe(0)
    expect(exporter.metrics()).toMatchObject({ mode: 'off', backlog: 1 })
  })

  it('needs no gateway at all', async () => {
    const store = memoryStore(testClock())
    const exporter = createExportWorker({ store, mode: 'off' })
    expect(await exporter.runOnce()).toMatchObject({ status: 'off' })
  })
})

describe('export worker: failures and backoff', () => {
  it('honours Retry-After: no request before it runs out, then the batch goes', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, { now: clock.now })
    harness.faults.push(() => answer(503, '', { 'retry-after': '120' }))

    expect(await exporter.runOnce()).toMatchObject({ status: 'failed', nextRunInMs: 120_000 })
    clock.advance(119_999)
    expect(await exporter.runOnce()).toMatchObject({ status: 'backing-off', nextRunInMs: 1 })
    expect(harness.requests).toHaveLength(1)
    clock.advance(1)
    expect(await exporter.runOnce()).toMatchObject({ status: 'exported', accepted: 1 })
    expect(harness.requests).toHaveLength(2)
  })

  it('backs off with full jitter below a doubling ceiling, capped', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, {
      now: clock.now,
      random: () => 0.5,
      initialRetryDelayMs: 1_000,
      maxRetryDelayMs: 5_000,
    })
    const delays: number[] = []
    for (let attempt = 0; attempt < 5; attempt++) {
      harness.faults.push(() => answer(500))
      const result = await exporter.runOnce()
      delays.push(result.nextRunInMs)
      clock.advance(result.nextRunInMs)
    }
    expect(delays).toEqual([500, 1_000, 2_000, 2_500, 2_500])
  })

  it('releases the batch when the gateway cannot be reached', async () => {
    const clock = testClock()
    const closed = await unusedPort()
    const store = memoryStore(clock)
    const row = ingested()
    await store.insert([row])
    const exporter = worker({ url: `http://127.0.0.1:${String(closed)}` }, store, {
      now: clock.now,
    })
    const result = await exporter.runOnce()
    expect(result).toMatchObject({ status: 'failed', released: 1 })
    expect(result.error).toMatch(
      new RegExp(
        `^network error reaching the gateway at 127\\.0\\.0\\.1:${String(closed)}: .*ECONNREFUSED`,
      ),
    )
    expect(store.calls.released).toEqual([row.event.id])
    expect(exporter.metrics().lastError).toMatchObject({
      message: result.error,
      errorClass: 'network',
    })
  })

  it('gives up on a gateway that does not answer within requestTimeoutMs', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, {
      now: clock.now,
      requestTimeoutMs: 100,
      leaseMs: 1_000,
    })
    harness.faults.push(() => new Promise<Response>(() => undefined))
    const result = await exporter.runOnce()
    expect(result).toMatchObject({
      status: 'failed',
      released: 1,
      error: `no answer from the gateway at ${new URL(harness.url).host} within 100 ms`,
    })
    expect(exporter.metrics().lastError?.errorClass).toBe('timeout')
  })

  it('treats a 2xx without acknowledgements as a failure', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, { now: clock.now })
    harness.faults.push(() => new Response('ok', { status: 200 }))
    harness.faults.push(() => answer(200, { accepted: ['someone-else'], rejected: [] }))
    expect(await exporter.runOnce()).toMatchObject({ status: 'failed', released: 1 })
    expect(await exporter.runOnce()).toMatchObject({
      status: 'failed',
      error: 'the gateway acknowledged none of the 1 events sent',
    })
    expect(await exporter.runOnce()).toMatchObject({ status: 'exported', accepted: 1 })
  })

  it('trusts no part of a 2xx whose accepted list holds something not an id', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const row = ingested()
    await store.insert([row])
    const exporter = worker(harness, store, { now: clock.now })
    harness.faults.push(() => answer(200, { accepted: [row.event.id, 7], rejected: [] }))
    const result = await exporter.runOnce()
    expect(result).toMatchObject({ status: 'failed', released: 1, accepted: 0 })
    expect(result.error).toBe('HTTP 200 without { accepted, rejected } in its body')
    expect(store.calls.released).toEqual([row.event.id])
  })

  it('sends ids the gateway answered neither way again next run', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const rows = [ingested(), ingested(), ingested()]
    await store.insert(rows)
    const onLog = vi.fn()
    const exporter = worker(harness, store, { now: clock.now, onLog })
    const [a, b, c] = rows.map(row => row.event.id)
    harness.faults.push(() => answer(200, { accepted: [a], rejected: [{ id: b, reason: 'no' }] }))

    expect(await exporter.runOnce()).toMatchObject({ accepted: 1, rejected: 1, released: 1 })
    expect(onLog).toHaveBeenCalledWith({
      level: 'warn',
      message: expect.stringContaining('neither way for 1 events') as string,
    })
    expect(await exporter.runOnce()).toMatchObject({ sent: 1, accepted: 1 })
    const sent = harness.requests.map(request => {
      const decoded = decodeBatch(request.body)
      return decoded.ok ? decoded.batch.events.map(event => event.id) : []
    })
    expect(sent).toEqual([[a, b, c], [c]])
  })

  it('halves the batch after a 413, and refuses an event too large to ever pass', async () => {
    const clock = testClock()
    const harness = await startHarness({ maxBodyBytes: 6 * 1024 })
    const store = memoryStore(clock)
    const rows = Array.from({ length: 4 }, () =>
      ingested({ privateMetadata: { blob: 'x'.repeat(1500) } }),
    )
    const huge = ingested({ privateMetadata: { blob: 'y'.repeat(7000) } })
    await store.insert([...rows, huge])
    const exporter = worker(harness, store, { now: clock.now, mode: 'full' })

    const results = []
    for (let run = 0; run < 5; run++) results.push(await exporter.runOnce())
    expect(results.map(r => [r.status, r.sent, r.accepted, r.rejected])).toEqual([
      ['failed', 5, 0, 0],
      ['exported', 2, 2, 0],
      ['exported', 2, 2, 0],
      ['exported', 1, 0, 1],
      ['idle', 0, 0, 0],
    ])
    expect(results[0]?.nextRunInMs).toBe(0)
    const [refused] = await store.get([huge.event.id])
    expect(refused?.exportRejection).toMatch(/^HTTP 413/)
    expect(await harness.received()).toEqual(rows.map(row => row.event.id))
  })

  it('cuts a batch at maxBatchBytes and sends the rest next run', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const rows = Array.from({ length: 5 }, () =>
      ingested({ privateMetadata: { blob: 'x'.repeat(600) } }),
    )
    await store.insert(rows)
    const exporter = worker(harness, store, { now: clock.now, mode: 'full', maxBatchBytes: 3000 })
    const first = await exporter.runOnce()
    expect(first).toMatchObject({ sent: 2, accepted: 2, released: 3 })
    expect(harness.requests[0]?.body.length).toBeLessThanOrEqual(3000)
    await exporter.runOnce()
    await exporter.runOnce()
    expect(await harness.received()).toEqual(rows.map(row => row.event.id))
  })

  it('shares one run between concurrent callers', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, { now: clock.now })
    const [a, b] = await Promise.all([exporter.runOnce(), exporter.runOnce()])
    expect(a).toBe(b)
    expect(harness.requests).toHaveLength(1)
  })

  it('stops a send in flight and releases its rows', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    await store.insert([ingested()])
    const exporter = worker(harness, store, { now: clock.now })
    harness.faults.push(() => new Promise<Response>(() => undefined))
    const run = exporter.runOnce()
    await vi.waitFor(() => expect(harness.requests).toHaveLength(1))
    await exporter.stop()
    expect(await run).toMatchObject({
      status: 'failed',
      released: 1,
      error: 'the export was stopped',
    })
  })
})

describe('export worker: retention and metrics', () => {
  it('prunes by retention each run and counts what it deleted', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const store = memoryStore(clock)
    const onLog = vi.fn()
    // Raw events stay 90 days by default, exported or not.
    const old = ingested({ receivedAt: new Date(clock.ms - 91 * day) })
    const kept = ingested({ receivedAt: new Date(clock.ms - 89 * day) })
    const unexportedOld = ingested({ receivedAt: new Date(clock.ms - 91 * day) })
    const unexportedKept = ingested({ receivedAt: new Date(clock.ms - 89 * day) })
    await store.insert([old, kept, unexportedOld, unexportedKept])
    const exporter = worker(harness, store, { now: clock.now, onLog })
    await store.markExported([old.event.id, kept.event.id], clock.now())

    expect((await exporter.runOnce()).pruned).toEqual({ exported: 1, unexported: 1 })
    expect(
      store
        .rows()
        .map(row => row.event.id)
        .sort(),
    ).toEqual([kept.event.id, unexportedKept.event.id].sort())
    expect(exporter.metrics().pruned).toEqual({ exported: 1, unexported: 1 })
    expect(onLog).toHaveBeenCalledWith({
      level: 'warn',
      message: 'export: retention deleted 1 events that were never exported',
    })
  })

  it('prunes the insights rollups past 400 days each run, when the store keeps them', async () => {
    const clock = testClock()
    const harness = await startHarness()
    const pruneRollups = vi.fn(async () => 0)
    const store: ServerEventStore = {
      ...memoryStore(clock),
      insights: {
        dialect: 'sqlite',
        query: async () => [],
        page: async () => [],
        pruneRollups,
        settle: async () => {},
      },
    }
    await worker(harness, store, { now: clock.now }).runOnce()
    expect(pruneRollups).toHaveBeenCalledWith(new Date(clock.ms - 400 * day))
  })

  it('bounds the backlog at maxUnexported, deleting the oldest', async () => {
    const clock = testClock()
    const store = memoryStore(clock)
    const rows = [0, 1, 2].map(minutes =>
      ingested({ receivedAt: new Date(clock.ms - minutes * 60_000) }),
    )
    await store.insert(rows)
    const exporter = createExportWorker({
      store,
      mode: 'off',
      now: clock.now,
      retention: { maxUnexported: 2 },
    })
    expect((await exporter.runOnce()).pruned.unexported).toBe(1)
    expect(store.rows().map(row => row.event.id)).toEqual([rows[1], rows[0]].map(r => r?.event.id))
  })

  it('reports the backlog and the age of its oldest row', async () => {
    const clock = testClock()
    const store = memoryStore(clock)
    await store.insert([ingested({ receivedAt: new Date(clock.ms - 90_000) }), ingested()])
    const exporter = createExportWorker({ store, mode: 'off', now: clock.now })
    expect(exporter.metrics()).toMatchObject({ backlog: 0, backlogAt: null })
    const metrics = await exporter.refreshMetrics()
    expect(metrics).toMatchObject({ backlog: 2, oldestUnexportedAgeSeconds: 90 })
    clock.advance(10_000)
    expect(exporter.metrics().oldestUnexportedAgeSeconds).toBe(100)
  })
})

describe('export worker: construction', () => {
  const store = createMemoryServerEventStore()
  const base = { store, instanceId, instanceKey }

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['plain http to a public host', { gatewayUrl: 'http://example.com' }, /HTTPS only/],
    ['plain http in off mode too', { gatewayUrl: 'http://example.com', mode: 'off' }, /HTTPS only/],
    ['no gateway in redact mode', {}, /gatewayUrl: required in redact mode/],
    [
      'no instance key',
      { gatewayUrl: 'https://g.example.com', instanceKey: undefined },
      /instanceKey: required/,
    ],
    [
      'a key with a line break',
      { gatewayUrl: 'https://g.example.com', instanceKey: 'a\nb' },
      /instanceKey/,
    ],
    ['an unknown mode', { gatewayUrl: 'https://g.example.com', mode: 'partial' }, /mode/],
    [
      'a batch size of 0',
      { gatewayUrl: 'https://g.example.com', maxBatchEvents: 0 },
      /maxBatchEvents/,
    ],
    [
      'a lease no longer than the request timeout',
      { gatewayUrl: 'https://g.example.com', leaseMs: 1_000, requestTimeoutMs: 1_000 },
      /leaseMs/,
    ],
    [
      'an interval past what timers take',
      { gatewayUrl: 'https://g.example.com', intervalMs: 2 ** 31 },
      /intervalMs/,
    ],
  ])('refuses %s with a clear Error', (_name, options, message) => {
    // Options as flags or JSON would give them, past what the types allow.
    const loose = { ...base, ...options } as ExportWorkerOptions
    expect(() => createExportWorker(loose)).toThrow(message)
  })

  it('leases claims for five request timeouts unless told otherwise', () => {
    const options = { ...base, gatewayUrl: 'https://g.example.com' }
    expect(normalizeExportOptions({ ...options, requestTimeoutMs: 2_000 }).leaseMs).toBe(10_000)
    expect(normalizeExportOptions(options).leaseMs).toBe(300_000)
    expect(
      normalizeExportOptions({ ...options, requestTimeoutMs: 2_000, leaseMs: 3_000 }).leaseMs,
    ).toBe(3_000)
  })

  it.each([
    'https://gateway.example.com',
    'http://127.0.0.1:1',
    'http://localhost:1',
    'http://[::1]:1',
  ])('accepts %s', gatewayUrl => {
    expect(() => createExportWorker({ ...base, gatewayUrl })).not.toThrow()
  })
})

/** A port nothing listens on: one the OS gave out and took back. */
async function unusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}
