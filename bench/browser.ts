// The browser side, in one Chromium run: Tally's built package beside the hand-written floor
// client (bench/floor-client.js), each built as an app ships it (bench/browser-bundles.ts) and
// loaded in its own browser context: weight, recordEvent's cost, main-thread time to record
// and deliver, bytes on the wire, and events persisted to IndexedDB per second.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, normalize } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { getRequestListener } from '@hono/node-server'
import { chromium, type Browser, type Page } from '@playwright/test'
import superjson from 'superjson'
import type * as TallyModule from '../src/index.js'
import type { TelemetryEvent } from '../src/protocol/event.js'
import { estimateEventBytes } from '../src/protocol/event-size.js'
import { bearerTokens } from '../src/server/auth.js'
import { createTelemetryHandler } from '../src/server/handler.js'
import { chromiumLaunchOptions } from '../test/support/chromium.js'
import { buildApp, bundlesDir, type BuiltApp } from './browser-bundles.js'
import { median, printTable } from './lib.js'

type Kind = 'tally' | 'floor'

interface FloorClient {
  ready(): Promise<void>
  persist(events: readonly object[]): Promise<void>
  recordEvent(feature: string, action: string, parameters?: object): void
  flush(): Promise<void>
}

/** What a benchmark page holds once its module loaded. */
interface BenchWindow {
  tally: typeof TallyModule
  floor: { createFloorClient(options: { url: string; name?: string }): FloorClient }
  loaded: boolean
}

/** One page's main thread while it records and delivers: tasks' wall time, and CPU time. */
interface MainThread {
  taskMs: number
  cpuMs: number
}

export interface ClientFigures {
  app: BuiltApp
  perCallUs: number
  /** Medians over `deliverRounds` pages. */
  mainThread: MainThread
  wireBytesPerEvent: number
  /** Median, lowest and highest of the rounds. */
  persistedPerSecond: { median: number; min: number; max: number }
}

const token = 'bench-token-0123456789'
const delivered = 2_000
const persisted = 20_000
const persistRounds = 5
/** Pages that each record and deliver `delivered` events, for the main-thread figure. */
const deliverRounds = 5

/** The wire, per client: the request bodies' bytes as sent (compressed or not) and the events. */
const wire = { tally: { bytes: 0, events: 0 }, floor: { bytes: 0, events: 0 } }

/**
 * TALLY_BENCH_PROFILE=DIR keeps a CPU profile of each page's main thread while it records and
 * delivers (DIR/KIND.cpuprofile, for Chromium's DevTools) to find where the time goes; the
 * pages are then left unminified, and the run's figures, inflated by the sampling, are not to
 * be reported.
 */
const profileDir = process.env.TALLY_BENCH_PROFILE

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/**
 * Tally's batches go to the real handler (whatever encoding it accepts), over a store that
 * only counts; the floor's to a route that counts its superjson batches. Static files come
 * from `bundlesDir`, with the headers that give pages the 5 µs timer rather than 100 µs.
 */
async function startServer() {
  const handler = createTelemetryHandler({
    store: {
      userId: async () => 1,
      insert: async rows => {
        wire.tally.events += rows.length
        return rows.length
      },
    },
    authenticate: bearerTokens(new Map([['bench', token]])),
    maxEventsPerMinute: 1e9,
  })
  const api = getRequestListener(handler.fetch)
  const isolated = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  }
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname.startsWith('/.api/telemetry/')) {
      if (request.method === 'POST') {
        const length = request.headers['content-length']
        // A streamed body has no length: count what arrives, beside the handler's own reader.
        if (length === undefined)
          request.on('data', (chunk: Buffer) => (wire.tally.bytes += chunk.length))
        else wire.tally.bytes += Number(length)
      }
      void api(request, response)
    } else if (url.pathname === '/floor/events') {
      void readBody(request).then(body => {
        wire.floor.bytes += body.length
        wire.floor.events += superjson.parse<{ events: unknown[] }>(
          body.toString('utf8'),
        ).events.length
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    } else if (url.pathname.startsWith('/bundles/')) {
      const path = normalize(join(bundlesDir, url.pathname.slice('/bundles/'.length)))
      if (!path.startsWith(bundlesDir)) return void response.writeHead(404).end()
      readFile(path).then(
        code =>
          response.writeHead(200, { 'content-type': 'text/javascript', ...isolated }).end(code),
        () => response.writeHead(404).end(),
      )
    } else {
      const kind = url.searchParams.get('client') as Kind
      const entry = url.searchParams.get('entry') ?? ''
      response
        .writeHead(200, { 'content-type': 'text/html', ...isolated })
        .end(
          `<!doctype html><script type="module">import * as client from '/bundles/${entry}'; window.${kind} = client; window.loaded = true</script>`,
        )
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** A fresh browser context (its own IndexedDB) with the client's page module loaded. */
async function openPage(browser: Browser, origin: string, kind: Kind, entry: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  // tsx names the functions it compiles with a helper the page does not have.
  await page.addInitScript('window.__name = f => f')
  await page.goto(`${origin}/?client=${kind}&entry=${encodeURIComponent(entry)}`)
  await page.waitForFunction(() => (window as unknown as BenchWindow).loaded)
  return page
}

/** What a benchmark page holds once `createClient` ran. */
interface ClientWindow {
  client: FloorClient
  /** Records `calls` search events on `client`, the same for every figure. */
  record: (calls: number) => void
}

/**
 * Creates the client in the page as `window.client`, and `window.record`; resolves once its
 * store is open.
 */
function createClient(page: Page, kind: Kind) {
  return page.evaluate(
    async ({ kind, token, delivered }) => {
      const bench = window as unknown as BenchWindow & {
        client: FloorClient | TallyModule.Telemetry
        record: ClientWindow['record']
      }
      bench.record = calls => {
        for (let i = 0; i < calls; i++) {
          bench.client.recordEvent('search', 'submitted', {
            version: 1,
            metadata: { regex: 1, resultCount: 37 },
            // A new query each call, as users type them; the pattern type repeats, as enums do.
            privateMetadata: {
              query: `repo:^github.com/org/repo$ useState ${i}`,
              patternType: 'literal',
            },
          })
        }
      }
      if (kind === 'tally') {
        const telemetry = bench.tally.createTelemetry({
          client: { name: 'bench', version: '1.0.0' },
          accessToken: token,
          maxQueueEvents: 100 * delivered,
          flushIntervalMs: 60_000,
          maxBatchEvents: 1_000,
        })
        await telemetry.flush()
        bench.client = telemetry
      } else {
        const floor = bench.floor.createFloorClient({ url: '/floor/events' })
        await floor.ready()
        bench.client = floor
      }
    },
    { kind, token, delivered },
  )
}

/** Median µs per recordEvent over `delivered` calls in one loop, after a warm-up round. */
function perCall(page: Page) {
  return page.evaluate(async calls => {
    const { client, record } = window as unknown as ClientWindow
    const samples: number[] = []
    for (let round = 0; round < 8; round++) {
      const start = performance.now()
      record(calls)
      if (round > 0) samples.push(((performance.now() - start) * 1000) / calls)
      await client.flush()
    }
    return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN
  }, delivered)
}

/**
 * Main-thread time from the first recordEvent until the server has all `delivered` events:
 * the wall time of every task of the page's renderer (Chromium's TaskDuration), and the CPU
 * time of its main thread (ThreadTime), which a busy machine does not inflate. The calls run
 * in a task of the page's own, as an app's would: run inside the DevTools command that starts
 * them, they would add that command's own cost (about 190 ms a page, measured) to the page's.
 */
async function recordAndDeliver(page: Page, kind: Kind, round: number): Promise<MainThread> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    const metric = (name: string) => metrics.find(m => m.name === name)?.value ?? Number.NaN
    return { taskMs: metric('TaskDuration') * 1000, cpuMs: metric('ThreadTime') * 1000 }
  }
  const profiled = profileDir !== undefined && round === 0
  if (profiled) {
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
    await cdp.send('Profiler.start')
  }
  const arrived = wire[kind].events
  const before = await sample()
  await page.evaluate(calls => {
    const { client, record } = window as unknown as ClientWindow
    setTimeout(() => {
      record(calls)
      void client.flush()
    })
  }, delivered)
  for (let waited = 0; wire[kind].events - arrived < delivered; waited += 10) {
    if (waited > 60_000) throw new Error(`${kind}: ${wire[kind].events - arrived} events arrived`)
    await sleep(10)
  }
  const after = await sample()
  if (profiled) {
    const { profile } = await cdp.send('Profiler.stop')
    await mkdir(profileDir, { recursive: true })
    await writeFile(join(profileDir, `${kind}.cpuprofile`), JSON.stringify(profile))
  }
  await cdp.detach()
  return { taskMs: after.taskMs - before.taskMs, cpuMs: after.cpuMs - before.cpuMs }
}

/** The event persisted (the page sets each copy's id and time). */
const persistedEvent = {
  id: 'bench-000000000000000',
  timestamp: new Date(),
  feature: 'search',
  action: 'submitted',
  source: { client: 'bench' },
  sessionId: 'bench-session-0000001',
  parameters: { version: 1, metadata: { regex: 1 }, privateMetadata: { query: 'useState' } },
} satisfies TelemetryEvent

/**
 * Events per second written to IndexedDB in appends of 100, over `persistRounds` databases,
 * each event with the size the recorder estimates for it (78 bytes; the store packs appends
 * into chunks by it, and the 300 bytes this figure used to assume split each append in two).
 */
async function persistRate(page: Page, kind: Kind) {
  const rates: number[] = []
  for (let round = 0; round < persistRounds; round++) {
    rates.push(
      await page.evaluate(
        async ({ kind, persisted, round, event, bytes }) => {
          const bench = window as unknown as BenchWindow
          let append: (from: number) => Promise<unknown>
          // Recorded once the store is open, as a client records: Tally looks up the ids of
          // events stamped before it opened (a spill's), which this figure is not about.
          const record = () =>
            Array.from({ length: persisted }, (_, i) => ({
              ...event,
              id: `bench-${String(i).padStart(15, '0')}`,
              timestamp: new Date(),
            }))
          let close = async () => {}
          if (kind === 'tally') {
            const store = await bench.tally.openIndexedDbStore({
              name: `tally-bench-${round}`,
              bounds: { maxEvents: 1_000_000, maxBytes: 1024 ** 3 },
            })
            const entries = record().map(event => ({ event, bytes }))
            append = from => store.append(entries.slice(from, from + 100))
            close = () => store.close()
          } else {
            const floor = bench.floor.createFloorClient({ url: '/', name: `floor-bench-${round}` })
            await floor.ready()
            const events = record()
            append = from => floor.persist(events.slice(from, from + 100))
          }
          const start = performance.now()
          for (let i = 0; i < persisted; i += 100) await append(i)
          const ms = performance.now() - start
          await close()
          return (persisted * 1000) / ms
        },
        {
          kind,
          persisted,
          round,
          event: persistedEvent,
          bytes: estimateEventBytes(persistedEvent),
        },
      ),
    )
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) }
}

async function measure(
  browser: Browser,
  origin: string,
  kind: Kind,
  app: BuiltApp,
  page: BuiltApp,
): Promise<ClientFigures> {
  const calls = await openPage(browser, origin, kind, page.entry)
  await createClient(calls, kind)
  const perCallUs = await perCall(calls)
  await calls.context().close()

  // A fresh page each round, as a visit is: one round's figure swings by a fifth on this
  // machine, so the table gives the median.
  const { bytes, events } = wire[kind]
  const rounds: MainThread[] = []
  for (let round = 0; round < deliverRounds; round++) {
    const deliver = await openPage(browser, origin, kind, page.entry)
    await createClient(deliver, kind)
    rounds.push(await recordAndDeliver(deliver, kind, round))
    await deliver.context().close()
  }
  const mainThread = {
    taskMs: median(rounds.map(r => r.taskMs)),
    cpuMs: median(rounds.map(r => r.cpuMs)),
  }
  const wireBytesPerEvent = (wire[kind].bytes - bytes) / (wire[kind].events - events)

  const persist = await openPage(browser, origin, kind, page.entry)
  const persistedPerSecond = await persistRate(persist, kind)
  await persist.context().close()
  return { app, perCallUs, mainThread, wireBytesPerEvent, persistedPerSecond }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`
const rate = (value: number) => Math.round(value).toLocaleString('en')

/**
 * Runs both clients and prints the table; `ingestShare` (the server benchmark's SQLite
 * ingest over raw inserts, batches of 500) fills its last row.
 */
export async function benchBrowser({ ingestShare }: { ingestShare?: number } = {}) {
  const apps = { tally: await buildApp('tally-app'), floor: await buildApp('floor-app') }
  // A profiled run's pages keep their functions' names.
  const minify = profileDir === undefined
  const pages = {
    tally: await buildApp('tally-page', { minify }),
    floor: await buildApp('floor-page', { minify }),
  }
  const { server, origin } = await startServer()
  const browser = await chromium.launch(chromiumLaunchOptions)
  try {
    const tally = await measure(browser, origin, 'tally', apps.tally, pages.tally)
    const floor = await measure(browser, origin, 'floor', apps.floor, pages.floor)
    const row = (
      figure: string,
      show: (client: ClientFigures) => string,
      target: string,
      met: (client: ClientFigures) => boolean,
    ) => [figure, show(tally), show(floor), target, met(tally) ? 'yes' : 'NO']
    const persistedFigure = ({ persistedPerSecond: { median, min, max } }: ClientFigures) =>
      `${rate(median)} events/s (${rate(min)}–${rate(max)})`
    printTable(
      `Chromium ${browser.version()}: Tally beside the hand-written floor (idb + nanoid + ky + superjson); batches of up to 1,000`,
      ['figure', 'Tally', 'floor', 'target', 'met'],
      [
        row(
          'bundle, min+gzip, everything (init + one event)',
          c => kb(c.app.totalBytes),
          '≤ 18.0 KB',
          c => c.app.totalBytes <= 18_000,
        ),
        row(
          'bundle loaded before the first event is recorded',
          c => kb(c.app.initialBytes),
          '≤ 9.0 KB',
          c => c.app.initialBytes <= 9_000,
        ),
        row(
          `recordEvent, main thread, per call (${rate(delivered)} in a loop)`,
          c => `${c.perCallUs.toFixed(2)} µs`,
          '≤ 2 µs',
          c => c.perCallUs <= 2,
        ),
        row(
          `main-thread time to record and deliver ${rate(delivered)} events (all tasks, median of ${deliverRounds} pages)`,
          c => `${c.mainThread.taskMs.toFixed(0)} ms`,
          '≤ 250 ms',
          c => c.mainThread.taskMs <= 250,
        ),
        [
          '  the same, CPU time of the main thread',
          `${tally.mainThread.cpuMs.toFixed(0)} ms`,
          `${floor.mainThread.cpuMs.toFixed(0)} ms`,
          '-',
          '-',
        ],
        row(
          'bytes per event on the wire',
          c => c.wireBytesPerEvent.toFixed(0),
          '≤ 120',
          c => c.wireBytesPerEvent <= 120,
        ),
        row(
          `persisted to IndexedDB, appends of 100 (median of ${persistRounds}, range)`,
          persistedFigure,
          '≥ 50,000',
          c => c.persistedPerSecond.median >= 50_000,
        ),
        [
          'backend ingest over HTTP on SQLite, share of raw inserts (batches of 500)',
          ingestShare === undefined ? 'not run' : `${(ingestShare * 100).toFixed(0)} %`,
          '-',
          '≥ 60 %',
          ingestShare !== undefined && ingestShare >= 0.6 ? 'yes' : 'NO',
        ],
      ],
    )
    return { tally, floor }
  } finally {
    await browser.close()
    server.close()
  }
}
