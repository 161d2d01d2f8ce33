// recordEvent on Node: ns per call over 100k calls, with scrubbing, beside
// @sourcegraph/telemetry's recordEvent (which scrubs nothing) as a reference point.
import { performance } from 'node:perf_hooks'
import { TelemetryRecorderProvider } from '@sourcegraph/telemetry'
import { createTelemetry, redactable } from '../dist/index.js'
import { createTestTransport } from '../dist/testing.js'
import { format, medianNsPerOp, printTable } from './lib.js'

const calls = 100_000

function tallyClient() {
  return createTelemetry({
    client: { name: 'bench', version: '1.0.0' },
    transport: createTestTransport(),
    // Room for every call, so that the figure is the recording path, not drops.
    maxQueueEvents: calls * 2,
    maxQueueBytes: 1024 * 1024 * 1024,
    maxBatchEvents: 1000,
    flushIntervalMs: 60_000,
  })
}

const scenarios = {
  'no metadata': telemetry => () => telemetry.recordEvent('search', 'submitted'),
  'numeric metadata': telemetry => () =>
    telemetry.recordEvent('search', 'submitted', {
      version: 1,
      metadata: { regex: 1, resultCount: 37 },
    }),
  // Each call a new query, as users type them; the pattern type repeats, as enums do.
  'small privateMetadata (the target)': telemetry => {
    let n = 0
    return () =>
      telemetry.recordEvent('search', 'submitted', {
        version: 1,
        metadata: { regex: 1, resultCount: 37 },
        privateMetadata: {
          query: `repo:^github.com/org/repo$ useState ${n++}`,
          patternType: 'literal',
        },
      })
  },
  'redactable string': telemetry => {
    const repo = 'github.com/org/repo'
    let n = 0
    return () =>
      telemetry.recordEvent('search', 'submitted', {
        version: 1,
        privateMetadata: { query: redactable`repo:${repo} ${`useState lang:typescript ${n++}`}` },
      })
  },
  // Every secret different, so that none is scrubbed from memory.
  'privateMetadata holding a secret': telemetry => {
    let n = 0
    return () =>
      telemetry.recordEvent('search', 'submitted', {
        version: 1,
        privateMetadata: { query: `token=0123456789abcdef${String(n++).padStart(16, '0')} curl` },
      })
  },
}

/** Calls between two turns of the event loop, as an app would record during one task. */
const burst = 1_000
const nextTurn = () => new Promise(resolve => setImmediate(resolve))

/**
 * Times only the synchronous calls, in bursts with a turn of the event loop between them
 * so that the queue writes and sends run as they would in an app; a single loop of 100k
 * calls would time the garbage collector moving 100k unsent events instead.
 */
async function measureTally(makeCall) {
  return medianNsPerOp(
    async () => {
      const telemetry = tallyClient()
      const call = makeCall(telemetry)
      let ms = 0
      for (let done = 0; done < calls; done += burst) {
        const start = performance.now()
        for (let i = 0; i < burst; i++) call()
        ms += performance.now() - start
        await nextTurn()
      }
      await telemetry.shutdown()
      return { ops: calls, ms }
    },
    { warmup: 1, rounds: 5 },
  )
}

async function measurePeer() {
  return medianNsPerOp(
    async () => {
      const provider = new TelemetryRecorderProvider(
        { client: 'bench', clientVersion: '1.0.0' },
        { exportEvents: async () => {} },
        [],
        { bufferTimeMs: 60_000, bufferMaxSize: calls * 2, errorHandler: () => {} },
      )
      const recorder = provider.getRecorder()
      let ms = 0
      for (let done = 0; done < calls; done += burst) {
        const start = performance.now()
        for (let i = 0; i < burst; i++) {
          recorder.recordEvent('search', 'submitted', {
            version: 1,
            metadata: { regex: 1, resultCount: 37 },
            privateMetadata: {
              // A new query each call, as users type them; the pattern type repeats, as enums do.
              query: `repo:^github.com/org/repo$ useState ${i}`,
              patternType: 'literal',
            },
          })
        }
        ms += performance.now() - start
        await nextTurn()
      }
      provider.unsubscribe()
      return { ops: calls, ms }
    },
    { warmup: 1, rounds: 5 },
  )
}

export async function benchRecord() {
  const rows = []
  for (const [name, makeCall] of Object.entries(scenarios)) {
    const ns = await measureTally(makeCall)
    rows.push(['tally-telemetry', name, format.ns(ns), ns <= 2000 ? 'yes' : 'NO'])
  }
  const peer = await measurePeer()
  rows.push([
    '@sourcegraph/telemetry 0.18 (no scrubbing)',
    'small privateMetadata',
    format.ns(peer),
    '-',
  ])
  printTable(
    `recordEvent on Node ${process.version}: median ns per call over ${calls.toLocaleString('en')} calls (target ≤ 2 µs)`,
    ['client', 'event', 'per call', '≤ 2 µs'],
    rows,
  )
}
