import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { checkPing } from '../../../src/protocol/ping.js'
import { exportPreview } from '../../../src/server/commands/export-preview.js'
import { openStore } from '../../../src/server/commands/options.js'
import { createPingWorker } from '../../../src/server/pings/ping-worker.js'
import { fakePingGateway, instanceId, instanceKey, listen } from '../pings/fake-ping-gateway.js'
import { dayMs, pingDay, plantUsage, storeUsage } from '../pings/planted-usage.js'

let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tally-preview-'))
  const store = await openStore({ dataDir })
  await storeUsage(store, plantUsage())
  await store.close()
  // Only the clock is faked: the fake gateway's sockets keep their own timers.
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime((pingDay + 1) * dayMs + 3 * 60 * 60_000)
})
afterEach(async () => {
  vi.useRealTimers()
  await rm(dataDir, { recursive: true, force: true })
})

const options = {
  exportMode: 'redact',
  allowlist: [],
  limit: 3,
  instanceKey: `${instanceId}=${instanceKey}`,
}

// Each test builds up to 30 pings of three queries: bounds for a loaded machine.
describe('tally export --preview', { timeout: 20_000 }, () => {
  it('prints the pending pings exactly as the ping worker then sends them, beside the events', async () => {
    const preview = await exportPreview({ dataDir, ...options })
    expect(preview.events).toHaveLength(3)
    expect(preview.pings).toHaveLength(30)
    expect(preview.pings.every(ping => checkPing(ping).ok && ping.instance === instanceId)).toBe(
      true,
    )

    const gateway = fakePingGateway()
    const server = await listen(gateway.app)
    const store = await openStore({ dataDir })
    try {
      const worker = createPingWorker({ store, gatewayUrl: server.url, instanceId, instanceKey })
      await worker.runOnce()
      expect(gateway.received.map(request => request.body)).toEqual(
        preview.pings.map(ping => JSON.stringify(ping)),
      )
    } finally {
      await store.close()
      await server.close()
    }
    // Sent and acknowledged: nothing is pending any more.
    expect((await exportPreview({ dataDir, ...options })).pings).toEqual([])
  })

  it('lists no ping in off mode, nor without an instance id to put in them', async () => {
    expect(await exportPreview({ dataDir, ...options, exportMode: 'off' })).toEqual({
      events: [],
      pings: [],
    })
    const preview = await exportPreview({ dataDir, ...options, instanceKey: undefined })
    expect(preview.pings).toEqual([])
    expect(preview.events).toHaveLength(3)
  })
})
