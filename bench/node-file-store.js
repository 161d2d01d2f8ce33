// tally-telemetry/node's file store: events persisted per second, beside raw appends of the
// same lines (the ceiling of any file queue); and how long `shutdown()` needs to deliver a
// queue of 10,000 events to a local backend (the HTTP handler on SQLite), within its 5 s.
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { serve } from '@hono/node-server'
import { createTelemetry, openFileStore } from '../dist/node.js'
import { bearerTokens, createTelemetryHandler, openSqliteStore } from '../dist/server.js'
import { medianNsPerOp, printTable } from './lib.js'

const events = 10_000
const token = 'bench-token-0123456789'
const client = { name: 'bench-extension', version: '1.0.0' }

let counter = 0
function storedEvents(count) {
  return Array.from({ length: count }, () => {
    const n = ++counter
    return {
      event: {
        id: `bench-${String(n).padStart(15, '0')}`,
        timestamp: new Date(),
        feature: 'search',
        action: 'submitted',
        source: { client: client.name, clientVersion: client.version },
        sessionId: 'bench-session-000001',
        parameters: {
          version: 1,
          metadata: { regex: 1, resultCount: 37 },
          privateMetadata: { query: `repo:^github.com/org/repo$ useState ${n}` },
        },
      },
      bytes: 420,
    }
  })
}

const temporary = () => mkdtemp(join(tmpdir(), 'tally-bench-'))

/** Events a second appended in batches of `batch`, the queue's grouped writes. */
async function storeRate(batch, sync) {
  const ns = await medianNsPerOp(
    async () => {
      const directory = await temporary()
      const store = await openFileStore({
        directory,
        bounds: { maxEvents: 1e6, maxBytes: 1e9 },
        sync,
      })
      const batches = Array.from({ length: events / batch }, () => storedEvents(batch))
      const start = performance.now()
      for (const entries of batches) await store.append(entries)
      const ms = performance.now() - start
      await store.close()
      await rm(directory, { recursive: true, force: true })
      return { ops: events, ms }
    },
    { warmup: 1, rounds: 5 },
  )
  return 1e9 / ns
}

/** The ceiling: the same JSON lines appended to one file, one datasync a batch. */
async function rawRate(batch) {
  const ns = await medianNsPerOp(
    async () => {
      const directory = await temporary()
      const handle = await open(join(directory, 'raw.log'), 'a')
      const lines = Array.from({ length: events / batch }, () =>
        storedEvents(batch)
          .map(({ event }) => `${JSON.stringify(event)}\n`)
          .join(''),
      )
      const start = performance.now()
      for (const text of lines) {
        await handle.write(text)
        await handle.datasync()
      }
      const ms = performance.now() - start
      await handle.close()
      await rm(directory, { recursive: true, force: true })
      return { ops: events, ms }
    },
    { warmup: 1, rounds: 5 },
  )
  return 1e9 / ns
}

/** Queues `events` with the backend unreachable, then times a new client's `shutdown()`. */
async function shutdownTime(maxBatchEvents) {
  const directory = await temporary()
  const queue = join(directory, 'queue')
  const offline = createTelemetry({
    client,
    directory: queue,
    transport: { send: async () => ({ type: 'retryable', reason: 'offline' }) },
    flushIntervalMs: 60_000,
  })
  for (let n = 0; n < events; n++) {
    offline.recordEvent('search', 'submitted', {
      version: 1,
      metadata: { regex: 1, resultCount: 37 },
      privateMetadata: { query: `repo:^github.com/org/repo$ useState ${n}` },
    })
    if (n % 500 === 499) await new Promise(resolve => setImmediate(resolve))
  }
  await offline.flush()
  await offline.shutdown({ timeoutMs: 0 })

  const store = openSqliteStore({ path: join(directory, 'tally.db') })
  await store.migrate()
  const handler = createTelemetryHandler({
    store,
    authenticate: bearerTokens(new Map([['bench', token]])),
    maxEventsPerMinute: 1e9,
  })
  const server = serve({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise(resolve => server.once('listening', resolve))
  const telemetry = createTelemetry({
    client,
    directory: queue,
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    accessToken: token,
    maxBatchEvents,
  })
  const start = performance.now()
  await telemetry.shutdown({ timeoutMs: 5_000 })
  const ms = performance.now() - start
  const left = await openFileStore({ directory: queue, bounds: { maxEvents: 1e6, maxBytes: 1e9 } })
  const remaining = await left.count()
  await left.close()
  await new Promise(resolve => server.close(resolve))
  await store.close()
  await rm(directory, { recursive: true, force: true })
  return { ms, sent: telemetry.stats().sent, remaining }
}

export async function benchFileStore() {
  const perSecond = value => `${Math.round(value).toLocaleString('en')} events/s`
  printTable(
    `tally-telemetry/node file store on Node ${process.version}: events persisted per second (median of 5 rounds of ${events.toLocaleString('en')})`,
    ['writer', 'events per append', 'fdatasync', 'rate'],
    [
      ['file store', '100', 'each append', perSecond(await storeRate(100, true))],
      ['file store', '100', 'none', perSecond(await storeRate(100, false))],
      ['file store', '1', 'each append', perSecond(await storeRate(1, true))],
      ['raw appends of JSON lines (ceiling)', '100', 'each append', perSecond(await rawRate(100))],
    ],
  )
  const rows = []
  for (const maxBatchEvents of [100, 1_000]) {
    const { ms, sent, remaining } = await shutdownTime(maxBatchEvents)
    rows.push([
      String(maxBatchEvents),
      `${ms.toFixed(0)} ms`,
      sent.toLocaleString('en'),
      remaining.toLocaleString('en'),
    ])
  }
  printTable(
    `shutdown({ timeoutMs: 5000 }) with ${events.toLocaleString('en')} events queued on disk, to the HTTP handler on SQLite at 127.0.0.1`,
    ['maxBatchEvents', 'shutdown took', 'sent', 'left on disk'],
    rows,
  )
}
