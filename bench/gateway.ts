// The gateway: exported events from four instances at once, through HTTP, into its SQLite
// folder and into PostgreSQL, each instance's events in an instance store of its own.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ExportedEvent } from '../src/protocol/export-redaction.js'
import { encodeExportBatch } from '../src/server/export/gateway-client.js'
import { startGateway, type StartGatewayOptions } from '../src/server/gateway/start-gateway.js'
import { printTable } from './lib.js'

const instances = ['acme', 'globex', 'initech', 'umbrella']
const eventsPerInstance = 20_000
const batchSize = 1_000
const keyOf = (instance: string) => `${instance}-bench-key-0123456789`

function exportedEvents(instance: string): ExportedEvent[] {
  const start = Date.now() - 86_400_000
  return Array.from({ length: eventsPerInstance }, (_, n) => {
    const at = new Date(start + n * 1_000)
    return {
      id: `${instance}-${String(n).padStart(12, '0')}`,
      timestamp: at,
      clientTimestamp: at,
      feature: ['search', 'nav', 'codeintel', 'chat'][n % 4] as string,
      action: n % 3 === 0 ? 'open' : 'run',
      source: { client: 'web', clientVersion: '6.1.0' },
      sessionId: `session-${n % 500}`,
      parameters: { version: 1, metadata: { resultCount: n % 50 } },
      userId: 1 + (n % 200),
      receivedAt: at,
    }
  })
}

/** One instance's exporter: posts its batches one after another, as the export worker does. */
const exporter = `
const { parentPort, workerData } = require('node:worker_threads')
const { url, bodies, instance, key } = workerData
const start = performance.now()
;(async () => {
  for (const body of bodies) {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer ' + key,
        'x-tally-instance': instance,
      },
    })
    if (response.status !== 200) throw new Error('the gateway answered ' + response.status)
    await response.arrayBuffer()
  }
})().then(() => parentPort.postMessage(performance.now() - start))
`

async function ingestRate(
  storage: Pick<StartGatewayOptions, 'dataDir' | 'databaseUrl' | 'databaseSchema'>,
) {
  const gateway = await startGateway({
    port: 0,
    instanceKeys: new Map(instances.map(instance => [instance, keyOf(instance)])),
    ...storage,
  })
  const bodies = new Map(
    instances.map(instance => {
      const events = exportedEvents(instance)
      const batches: string[] = []
      for (let at = 0; at < events.length; at += batchSize) {
        batches.push(encodeExportBatch(events.slice(at, at + batchSize), new Date()))
      }
      return [instance, batches]
    }),
  )
  const start = performance.now()
  // Each instance from its own thread, as from its own machine.
  await Promise.all(
    instances.map(
      instance =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(exporter, {
            eval: true,
            workerData: {
              url: `${gateway.url}/v1/events`,
              bodies: bodies.get(instance),
              instance,
              key: keyOf(instance),
            },
          })
          worker.once('message', () => resolve())
          worker.once('error', reject)
        }),
    ),
  )
  const seconds = (performance.now() - start) / 1000
  for (const instance of instances) {
    const stored = await gateway.store.count(instance)
    if (stored !== eventsPerInstance) throw new Error(`${instance}: ${stored} events stored`)
  }
  await gateway.close()
  return (instances.length * eventsPerInstance) / seconds
}

const rate = (value: number) => `${Math.round(value).toLocaleString('en')} events/s`

export async function benchGateway(databaseUrl: string | undefined) {
  const rows: string[][] = []
  const directory = mkdtempSync(join(tmpdir(), 'tally-bench-gateway-'))
  try {
    rows.push(['SQLite (a file per instance)', rate(await ingestRate({ dataDir: directory }))])
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  if (databaseUrl === undefined) {
    rows.push(['PostgreSQL', 'skipped: set DATABASE_URL'])
  } else {
    const { Client } = await import('pg')
    const client = new Client({ connectionString: databaseUrl })
    await client.connect()
    // A schema of the bench's own: the database may be anyone's.
    const databaseSchema = `bench_gateway_${process.pid}`
    try {
      rows.push([
        'PostgreSQL (a schema per instance)',
        rate(await ingestRate({ databaseUrl, databaseSchema })),
      ])
    } finally {
      const { rows: found } = await client.query<{ name: string }>(
        'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
        [databaseSchema],
      )
      for (const { name } of found) await client.query(`DROP SCHEMA "${name}" CASCADE`)
      await client.end()
    }
  }
  printTable(
    `Gateway ingest: ${instances.length} instances at once, each ${eventsPerInstance.toLocaleString('en')} exported events in batches of ${batchSize.toLocaleString('en')}`,
    ['store', 'throughput'],
    rows,
  )
}
