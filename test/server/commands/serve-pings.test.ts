import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openStore } from '../../../src/server/commands/options.js'
import { startServe, type ServeOptions } from '../../../src/server/commands/serve.js'
import { fakePingGateway, instanceId, instanceKey, listen } from '../pings/fake-ping-gateway.js'
import { plantUsage, storeUsage } from '../pings/planted-usage.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A real `tally serve` on a store with planted usage, exporting to the fake gateway. */
async function serveWithUsage(overrides: Partial<ServeOptions>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-serve-pings-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const store = await openStore({ dataDir })
  await storeUsage(store, plantUsage())
  await store.close()
  const gateway = fakePingGateway()
  const front = await listen(gateway.app)
  cleanups.push(() => front.close())
  const server = await startServe({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    exportMode: 'redact',
    gatewayUrl: front.url,
    instanceKey: `${instanceId}=${instanceKey}`,
    exportIntervalMs: 60_000,
    allowlist: [],
    tokens: [],
    adminToken: 'admin-token-0123456789abcdef',
    corsOrigins: [],
    localGateway: false,
    log: () => undefined,
    ...overrides,
  })
  cleanups.push(() => server.close())
  return { gateway, server }
}

describe('tally serve and the daily ping', () => {
  it('sends the missed days once at start, and counts them in /metrics', async () => {
    const { gateway, server } = await serveWithUsage({})
    // 30 pings of three queries each: generous bounds for a loaded machine, not a speed check.
    await vi.waitFor(() => expect(gateway.received.length).toBe(30), { timeout: 15_000 })
    const days = gateway.pings().map(ping => ping.day)
    expect(new Set(days).size).toBe(30)
    expect(days).toEqual([...days].sort())
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/^tally_ping_sent_total 30$/m)
  }, 20_000)

  it('runs no ping worker in off mode', async () => {
    const { gateway, server } = await serveWithUsage({ exportMode: 'off' })
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).not.toContain('tally_ping_')
    const admin = await fetch(`${server.url}/admin`, {
      headers: { authorization: 'Bearer admin-token-0123456789abcdef' },
    })
    expect(await admin.text()).toContain('no daily ping leaves this instance')
    await server.close()
    expect(gateway.received).toEqual([])
  })
})
