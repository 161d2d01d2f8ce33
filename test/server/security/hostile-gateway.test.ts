// A hostile (or broken) upstream answers every export with a small gzip body that inflates to
// 200 MB. The instance reads the answer with a bound on its decoded bytes, so it stays small;
// before that bound a 200 KB answer took a real `tally serve` from 80 to 731 MB.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGzip } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../../src/protocol/event.js'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { startServe } from '../../support/tally-serve.js'

const token = 'hostile-gateway-token-0123456789'
const instanceKey = 'hostile-gateway-instance-key-0123'
const inflatedBytes = 200 * 1024 * 1024

/** gzip of `size` zero bytes, made by streaming so that the test never holds them whole. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 })
  const chunks: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise(resolve => gzip.once('end', resolve))
  const zeros = Buffer.alloc(1024 * 1024)
  for (let written = 0; written < size; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise(resolve => gzip.once('drain', resolve))
  }
  gzip.end()
  await done
  return Buffer.concat(chunks)
}

/** Peak resident memory of a process, in MiB, from Linux's /proc. */
function peakRssMiB(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))
  if (!match?.[1]) throw new Error('no VmHWM in /proc status')
  return Number(match[1]) / 1024
}

let gateway: Server
let gatewayUrl: string
let bomb: Buffer
let answered = 0
let child: ChildProcess
let serveUrl: string
let dataDir: string

beforeAll(async () => {
  bomb = await gzipBomb(inflatedBytes)
  gateway = createServer((request, response) => {
    request.resume()
    request.once('end', () => {
      answered++
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      })
      response.end(bomb)
    })
  })
  await new Promise<void>(resolve => gateway.listen(0, '127.0.0.1', resolve))
  gatewayUrl = `http://127.0.0.1:${String((gateway.address() as AddressInfo).port)}`
  dataDir = mkdtempSync(join(tmpdir(), 'tally-hostile-gateway-'))
  const started = startServe({
    dataDir,
    token: `test=${token}`,
    from: 'source',
    exportMode: 'full',
    args: [
      '--gateway-url',
      gatewayUrl,
      '--instance-key',
      `hostile=${instanceKey}`,
      '--export-interval-ms',
      '200',
    ],
  })
  child = started.child
  serveUrl = await started.url
}, 60_000)

afterAll(async () => {
  child.kill('SIGKILL')
  await new Promise<void>(resolve => gateway.close(() => resolve()))
  rmSync(dataDir, { recursive: true, force: true })
})

function event(n: number): TelemetryEvent {
  return {
    id: `hostile-${String(n).padStart(16, '0')}`,
    timestamp: new Date(),
    feature: 'search',
    action: 'submitted',
    source: { client: 'test' },
    sessionId: 'hostile-session-0000001',
    parameters: { version: 1, metadata: { n } },
  }
}

describe('an upstream answering with a decompression bomb', () => {
  it('is read up to a bound, keeps the instance small and is reported by class', async () => {
    const posted = await fetch(`${serveUrl}/.api/telemetry/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: encodeBatch({
        events: Array.from({ length: 10 }, (_, n) => event(n)),
        sentAt: new Date(),
      }),
    })
    expect(posted.status).toBe(200)

    // Several export runs each meet the bomb (retries back off from 1 s).
    const deadline = Date.now() + 20_000
    while (answered < 3 && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
    expect(answered).toBeGreaterThanOrEqual(3)
    expect(bomb.length).toBeLessThan(400 * 1024)

    // Before the bound, one answer alone took the process past 700 MiB.
    expect(peakRssMiB(child.pid as number)).toBeLessThan(300)

    const metrics = await (await fetch(`${serveUrl}/metrics`)).text()
    expect(metrics).toMatch(/tally_export_last_error_timestamp_seconds\{class="answer-too-large"\}/)
    expect(metrics).not.toContain(gatewayUrl.replace('http://', ''))
    // The events stay in the backlog for a later, saner answer.
    expect(metrics).toMatch(/^tally_export_backlog 10$/m)
  }, 60_000)
})
