// The `tally serve` process killed with SIGKILL right after it acknowledged events: every
// acknowledged event is there when the store is opened again.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import { openSqliteStore } from '../../src/server/stores/sqlite-store.js'
import { startServe as startServeProcess } from '../support/tally-serve.js'

const token = 'sigkill-token-0123456789'
const children: ChildProcess[] = []
const directories: string[] = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

async function startServe(dataDir: string) {
  const { child, url } = startServeProcess({ dataDir, token: `test=${token}`, from: 'source' })
  children.push(child)
  return { child, url: await url }
}

let counter = 0
function events(count: number): TelemetryEvent[] {
  return Array.from({ length: count }, () => ({
    id: `kill-${String(++counter).padStart(16, '0')}`,
    timestamp: new Date(),
    feature: 'search',
    action: 'submitted',
    source: { client: 'test' },
    sessionId: 'kill-session-0000001',
    parameters: { version: 1, metadata: { n: counter } },
  }))
}

describe('tally serve killed with SIGKILL', { timeout: 120_000 }, () => {
  it('keeps every event it acknowledged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tally-sigkill-'))
    directories.push(dataDir)
    const acknowledged: string[] = []
    for (let round = 0; round < 2; round++) {
      const { child, url } = await startServe(dataDir)
      // Sends batches back to back and kills the server the moment an answer arrives,
      // while later batches are still in flight.
      const sends = Array.from({ length: 5 }, () => events(200)).map(async batch => {
        try {
          const response = await fetch(`${url}/.api/telemetry/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: encodeBatch({ events: batch, sentAt: new Date() }),
          })
          if (response.status !== 200) return
          const { accepted } = (await response.json()) as { accepted: string[] }
          acknowledged.push(...accepted)
          child.kill('SIGKILL')
        } catch {
          // The server died before answering: nothing was acknowledged.
        }
      })
      await Promise.all(sends)
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve))
        child.kill('SIGKILL')
        await exited
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0)
    const store = openSqliteStore({ path: join(dataDir, 'tally.db') })
    await store.migrate()
    const found = await store.get(acknowledged)
    await store.close()
    expect(new Set(found.map(row => row.event.id))).toEqual(new Set(acknowledged))
  })
})
