import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/client/errors/invalid-options-error.js'
import { createTelemetry, type NodeTelemetryOptions } from '../../src/client/node-telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'

const parents: string[] = []
afterEach(() => {
  for (const parent of parents.splice(0)) {
    rmSync(parent, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
})

/** A queue directory that does not exist yet, in a temporary parent. */
function missingDirectory(): string {
  const parent = mkdtempSync(join(tmpdir(), 'tally-options-'))
  parents.push(parent)
  return join(parent, 'queue')
}

describe('createTelemetry on Node checks every option first', () => {
  it.each<[string, Partial<NodeTelemetryOptions>, string]>([
    ['a batch bound of 0', { maxBatchEvents: 0 }, 'maxBatchEvents'],
    ['a fractional queue bound', { maxQueueBytes: 1.5 }, 'maxQueueBytes'],
    [
      'a shutdown deadline past what a timer can hold',
      { shutdownTimeoutMs: 2 ** 31 },
      'shutdownTimeoutMs',
    ],
    ['a send lease too short to renew', { sendLeaseMs: 2 }, 'sendLeaseMs'],
  ])('throws for %s and creates no directory', async (_, options, option) => {
    const directory = missingDirectory()
    const create = () =>
      createTelemetry({
        client: { name: 'editor' },
        transport: createTestTransport(),
        directory,
        ...options,
      } as NodeTelemetryOptions)
    expect(create).toThrow(InvalidOptionsError)
    expect(create).toThrow(expect.objectContaining({ option }) as Error)
    // An open started anyway would create the directory within a few event-loop turns.
    await sleep(100)
    expect(existsSync(directory)).toBe(false)
  })

  it('throws for a missing baseUrl without a transport, and creates no directory', async () => {
    const directory = missingDirectory()
    expect(() => createTelemetry({ client: { name: 'editor' }, directory })).toThrow(
      expect.objectContaining({ option: 'baseUrl' }) as Error,
    )
    await sleep(100)
    expect(existsSync(directory)).toBe(false)
  })

  it('creates the directory once the options are good', async () => {
    const directory = missingDirectory()
    const telemetry = createTelemetry({
      client: { name: 'editor' },
      transport: createTestTransport(),
      directory,
      syncWrites: false,
    })
    telemetry.recordEvent('search', 'submitted')
    await telemetry.flush()
    await telemetry.shutdown()
    expect(existsSync(directory)).toBe(true)
    expect(telemetry.stats().sent).toBe(1)
  })
})
