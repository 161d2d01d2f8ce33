import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { emptyAllowlist, redactForExport } from '../../../src/protocol/export-redaction.js'
import { encodeExportBatch } from '../../../src/server/export/gateway-client.js'
import type { Ping } from '../../../src/protocol/ping.js'
import {
  startGateway,
  type RunningGateway,
  type StartGatewayOptions,
} from '../../../src/server/gateway/start-gateway.js'
import { samplePing } from '../../support/gateway-data.js'
import { ingested } from '../../support/server-events.js'
import { testDatabaseUrl } from '../../support/postgres-schemas.js'

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

describe('startGateway: pings across instances, resends and restarts', () => {
  const keys = new Map([
    ['acme', 'acme-key-0123456789'],
    ['globex', 'globex-key-0123456789'],
  ])
  const adminKey = 'admin-key-0123456789'

  const ping = (url: string, instance: string, day: string) =>
    fetch(`${url}/v1/pings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.get(instance) ?? ''}`,
        'x-tally-instance': instance,
      },
      body: JSON.stringify(samplePing(instance, day)),
    })
  const pingDays = async (url: string, instance: string) => {
    const response = await fetch(`${url}/v1/pings?instance=${instance}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    return ((await response.json()) as { pings: Ping[] }).pings.map(p => p.day)
  }

  const storages: [string, () => Promise<Partial<StartGatewayOptions>>, () => Promise<void>][] = [
    [
      'SQLite',
      async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'tally-gateway-'))
        directories.push(dataDir)
        return { dataDir }
      },
      async () => undefined,
    ],
    [
      'PostgreSQL',
      async () => ({ databaseUrl, databaseSchema }),
      async () => {
        const client = new pg.Client({ connectionString: databaseUrl })
        await client.connect()
        const { rows } = await client.query<{ name: string }>(
          'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
          [databaseSchema],
        )
        for (const { name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`)
        await client.end()
      },
    ],
  ]
  const databaseUrl = testDatabaseUrl
  const databaseSchema = `tgw_start_${randomBytes(6).toString('hex')}`

  it.each(storages)(
    'keeps one ping per (instance, day) on %s',
    async (_name, storage, drop) => {
      const options = { port: 0, instanceKeys: keys, adminKey, ...(await storage()) }
      try {
        const first = await startGateway(options)
        running.push(first)
        expect((await ping(first.url, 'acme', '2026-11-25')).status).toBe(200)
        expect((await ping(first.url, 'acme', '2026-11-25')).status).toBe(200)
        expect((await ping(first.url, 'globex', '2026-11-25')).status).toBe(200)
        await first.close()
        const second = await startGateway(options)
        running.push(second)
        expect(await (await ping(second.url, 'acme', '2026-11-25')).json()).toEqual({
          accepted: ['acme:2026-11-25'],
          rejected: [],
        })
        expect((await ping(second.url, 'acme', '2026-11-26')).status).toBe(200)
        expect(await pingDays(second.url, 'acme')).toEqual(['2026-11-25', '2026-11-26'])
        expect(await pingDays(second.url, 'globex')).toEqual(['2026-11-25'])
        await second.close()
      } finally {
        await drop()
      }
      // Two starts and a schema made and dropped: room on a shared machine, not a speed bound.
    },
    20_000,
  )
})
