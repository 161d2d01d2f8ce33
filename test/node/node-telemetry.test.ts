import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/client/errors/invalid-options-error.js'
import { createTelemetry, type NodeTelemetryOptions } from '../../src/client/node-telemetry.js'
import type { Telemetry } from '../../src/client/telemetry.js'
import type { Transport } from '../../src/client/transport/transport.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'

const directories: string[] = []
const clients: Telemetry[] = []

afterEach(async () => {
  for (const telemetry of clients.splice(0)) await telemetry.shutdown({ timeoutMs: 0 })
  // A shutdown past its deadline does not wait for the send-lease file's last claim or
  // release, which may still touch the directory while it is removed: retry then.
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
})

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-node-'))
  directories.push(directory)
  return directory
}

function start(
  directory: string,
  transport: Transport,
  options: Partial<NodeTelemetryOptions> = {},
) {
  const telemetry = createTelemetry({
    client: { name: 'editor', version: '1.0.0' },
    directory,
    transport,
    flushIntervalMs: 60_000,
    syncWrites: false,
    ...options,
  } as NodeTelemetryOptions)
  clients.push(telemetry)
  return telemetry
}

const down = { type: 'retryable', reason: 'backend down' } as const

describe('createTelemetry on Node', () => {
  it('keeps what it could not send on disk, and the next start sends it', async () => {
    const directory = tempDirectory()
    const offline = createTestTransport()
    offline.answerWith(down)
    const first = start(directory, offline)
    for (let i = 0; i < 5; i++) first.recordEvent('search', 'submitted')
    await first.shutdown({ timeoutMs: 1_000 })
    expect(first.stats().sent).toBe(0)

    const online = createTestTransport()
    const second = start(directory, online)
    await expect.poll(() => online.events.length).toBe(5)
    expect(new Set(online.events.map(event => event.id)).size).toBe(5)
    expect(second.stats()).toMatchObject({ storage: 'file', sent: 5 })
  })

  it('sends what two windows on one directory record, each event once', async () => {
    const directory = tempDirectory()
    const transport = createTestTransport()
    const one = start(directory, transport)
    const two = start(directory, transport)
    for (let i = 0; i < 30; i++) {
      one.recordEvent('search', 'submitted')
      two.recordEvent('notebook', 'viewed')
    }
    await Promise.all([one.flush(), two.flush()])
    // A window that found the lease taken looks again after flushIntervalMs; flush it by hand.
    await expect
      .poll(async () => {
        await Promise.all([one.flush(), two.flush()])
        return transport.events.length
      })
      .toBe(60)
    expect(new Set(transport.events.map(event => event.id)).size).toBe(60)
  })

  it('shuts down within its deadline against a backend that never answers, keeping the events', async () => {
    const directory = tempDirectory()
    // Answers only when the send is aborted, as the HTTP transport does.
    const hanging: Transport = {
      send: (_batch, { signal }) =>
        new Promise(resolve => signal?.addEventListener('abort', () => resolve(down))),
    }
    const first = start(directory, hanging)
    first.recordEvent('search', 'submitted')
    await first.shutdown({ timeoutMs: 200 })

    const online = createTestTransport()
    start(directory, online)
    await expect.poll(() => online.events.length).toBe(1)
  })

  it('refuses to start without a directory or a base URL', () => {
    const transport = createTestTransport()
    expect(() => createTelemetry({ client: { name: 'x' }, transport } as never)).toThrow(
      InvalidOptionsError,
    )
    expect(() => createTelemetry({ client: { name: 'x' }, directory: tempDirectory() })).toThrow(
      /baseUrl/,
    )
  })

  it('queues in memory when the directory cannot be used', async () => {
    const transport = createTestTransport()
    transport.answerWith(down)
    const telemetry = start('/proc/version/not-a-directory', transport)
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    expect(telemetry.stats()).toMatchObject({ storage: 'memory', queued: 1 })
  })
})
