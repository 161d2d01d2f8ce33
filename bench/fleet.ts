// The fleet at scale (issue 13): `GET /v1/fleet` and the fleet page (its 30 and 90-day windows)
// over 1,000 instances × 400 days of pings (`TALLY_BENCH_FLEET_INSTANCES`,
// `TALLY_BENCH_FLEET_DAYS`), p95 against 300 ms, through the gateway's routes as a vendor's
// client or browser would ask.
// The pings live in the gateway's own stores: SQLite in a temporary folder, and PostgreSQL in a
// schema of the bench's own when a database is given.
import { performance } from 'node:perf_hooks'
import { createAuthThrottle } from '../src/server/auth-throttle.js'
import type { GatewayPingStore } from '../src/server/gateway/gateway-ping-store.js'
import type { GatewayStore } from '../src/server/gateway/gateway-store.js'
import { createGateway } from '../src/server/gateway/gateway.js'
import { openPostgresGatewayStore } from '../src/server/gateway/postgres-gateway-store.js'
import { openTemporaryGatewayStore } from '../src/server/gateway/temporary-gateway-store.js'
import { makePing } from '../test/support/pings.js'
import { printTable } from './lib.js'

const adminKey = 'bench-gateway-admin-key-0123456789'
const maxP95Ms = 300
const runs = 30
const dayMs = 86_400_000
const featureNames = ['blob', 'codeintel', 'notebook', 'search', 'settings', 'batch-changes']

/** A gateway store, and how to let it go (and what it leaves). */
export interface FleetBenchStore {
  store: GatewayStore
  close(): Promise<void>
}

/** Each store the benchmark fills and times, by label. */
function fleetStores(databaseUrl: string | undefined): [string, () => Promise<FleetBenchStore>][] {
  const sqlite: [string, () => Promise<FleetBenchStore>] = [
    'SQLite',
    async () => {
      const store = await openTemporaryGatewayStore()
      return { store, close: () => store.close() }
    },
  ]
  if (databaseUrl === undefined) return [sqlite]
  // A schema of the bench's own: the database may be anyone's.
  const schema = `bench_fleet_${process.pid}`
  const postgres: [string, () => Promise<FleetBenchStore>] = [
    'PostgreSQL',
    async () => {
      const store = await openPostgresGatewayStore({ connectionString: databaseUrl, schema })
      return {
        store,
        async close() {
          await store.close()
          const { Client } = await import('pg')
          const client = new Client({ connectionString: databaseUrl })
          await client.connect()
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
          } finally {
            await client.end()
          }
        },
      }
    },
  ]
  return [sqlite, postgres]
}

const count = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a count`)
  return value
}

/** Every instance's pings of `days` days ending yesterday, as their instances would send them. */
async function fill(store: GatewayPingStore, instances: number, days: number, today: number) {
  let seed = 1
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const started = performance.now()
  for (let day = today - days; day < today; day += 1) {
    const text = new Date(day * dayMs).toISOString().slice(0, 10)
    for (let n = 0; n < instances; n += 1) {
      const mau = 10 + Math.floor(next() * 500)
      const wau = Math.floor(mau * (0.4 + next() * 0.4))
      const features: Record<string, { events: number; users: number }> = {}
      for (const feature of featureNames) {
        const users = Math.floor(next() * mau)
        features[feature] = { events: users * 7, users }
      }
      await store.insertPing(
        makePing({
          instance: `customer-${String(n).padStart(4, '0')}`,
          day: text,
          version: `6.${n % 12}.0`,
          dau: Math.floor(wau * 0.3),
          wau,
          mau,
          features,
        }),
        new Date((day + 1) * dayMs),
      )
    }
  }
  return (instances * days) / ((performance.now() - started) / 1000)
}

/** p50 and p95 of `times` requests of `path`, after one warm-up; each answer read whole. */
async function time(request: (path: string) => Promise<Response>, path: string, times: number) {
  const ask = async () => {
    const response = await request(path)
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
    return response.text()
  }
  await ask()
  const samples: number[] = []
  for (let run = 0; run < times; run += 1) {
    const start = performance.now()
    await ask()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return {
    p50: samples[Math.floor(times * 0.5)] ?? Number.NaN,
    p95: samples[Math.ceil(times * 0.95) - 1] ?? Number.NaN,
  }
}

export async function benchFleet(databaseUrl?: string) {
  const instances = count('TALLY_BENCH_FLEET_INSTANCES', 1_000)
  const days = count('TALLY_BENCH_FLEET_DAYS', 400)
  const now = new Date()
  const today = Math.floor(now.getTime() / dayMs)
  const rows: string[][] = []
  for (const [label, open] of fleetStores(databaseUrl)) {
    const opened = await open()
    const { store } = opened
    try {
      const rate = await fill(store, instances, days, today)
      process.stderr.write(`  ${label}: ${instances * days} pings stored, ${rate.toFixed(0)}/s\n`)
      const app = createGateway({
        store,
        instanceKeys: new Map(),
        adminKey,
        authThrottle: createAuthThrottle(),
        now: () => now,
      })
      const request = (path: string) =>
        Promise.resolve(app.request(path, { headers: { authorization: `Bearer ${adminKey}` } }))
      const halfway = new Date((today - Math.floor(days / 2)) * dayMs).toISOString().slice(0, 10)
      // Besides the latest pings, the page reads the sums of every instance's active users by
      // day of its window (90,000 pings summed for 90 days at 1,000 instances), the charted
      // instances' days and each instance's day 28 days before its latest ping.
      for (const [name, path] of [
        ['GET /v1/fleet (today)', '/v1/fleet'],
        [`GET /v1/fleet?at=${halfway}`, `/v1/fleet?at=${halfway}`],
        ['fleet page, 30 days', '/?window=30'],
        ['fleet page, 90 days', '/?window=90'],
      ] as const) {
        const { p50, p95 } = await time(request, path, runs)
        rows.push([
          label,
          name,
          `${p50.toFixed(1)} ms`,
          `${p95.toFixed(1)} ms`,
          p95 <= maxP95Ms ? 'PASS' : `FAIL (${(p95 / maxP95Ms).toFixed(1)}×)`,
        ])
        process.stderr.write(
          `  ${label} ${name}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms\n`,
        )
      }
    } finally {
      await opened.close()
    }
  }
  printTable(
    `Fleet: ${instances.toLocaleString('en')} instances × ${days} days of pings, ${runs} requests each (target p95 ≤ ${maxP95Ms} ms)`,
    ['store', 'request', 'p50', 'p95', 'target'],
    rows,
  )
}
