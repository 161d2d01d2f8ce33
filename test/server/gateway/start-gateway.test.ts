import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { emptyAllowlist, redactForExport } from '../../../src/protocol/export-redaction.js'
import { encodeExportBatch } from '../../../src/server/export/gateway-client.js'
import { startGateway, type RunningGateway } from '../../../src/server/gateway/start-gateway.js'
import { ingested } from '../../support/server-events.js'

const instanceKeys = new Map([['acme', 'acme-key-0123456789']])
const running: RunningGateway[] = []
const directories: string[] = []

afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

async function start(dataDir?: string): Promise<RunningGateway> {
  const gateway = await startGateway({ port: 0, instanceKeys, ...(dataDir ? { dataDir } : {}) })
  running.push(gateway)
  return gateway
}

async function send(url: string): Promise<{ status: number; body: unknown; id: string }> {
  // Received now: the gateway's retention, which runs at start, keeps 90 days of it.
  const row = ingested({ receivedAt: new Date() })
  const exported = redactForExport(row, 'redact', emptyAllowlist)?.exported
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer acme-key-0123456789',
      'x-tally-instance': 'acme',
    },
    body: encodeExportBatch(exported ? [exported] : [], new Date()),
  })
  return { status: response.status, body: await response.json(), id: row.event.id }
}

describe('startGateway', () => {
  it('serves on 127.0.0.1 on the port the OS chose', async () => {
    const gateway = await start()
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { status, body, id } = await send(gateway.url)
    expect(status).toBe(200)
    expect(body).toEqual({ accepted: [id], rejected: [] })
  })

  it('keeps what it acknowledged across a restart when given a data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-gateway-'))
    directories.push(dataDir)
    const first = await start(dataDir)
    const { id } = await send(first.url)
    await first.close()
    const second = await start(dataDir)
    const response = await fetch(`${second.url}/v1/events?instance=acme`, {
      headers: { authorization: 'Bearer acme-key-0123456789' },
    })
    const listing = (await response.json()) as { events: { id: string }[] }
    expect(listing.events.map(e => e.id)).toEqual([id])
  })

  it('closes idempotently, and the port stops answering', async () => {
    const gateway = await start()
    await Promise.all([gateway.close(), gateway.close()])
    await expect(fetch(`${gateway.url}/v1/events?instance=acme`)).rejects.toThrow()
  })

  it('rejects when the port is taken', async () => {
    const gateway = await start()
    const port = Number(new URL(gateway.url).port)
    await expect(startGateway({ port, instanceKeys })).rejects.toThrow(/EADDRINUSE/)
  })
})
