import { describe, expect, it, vi } from 'vitest'
import { memoryQueue } from './memory-queue.js'
import type { TallyError } from '../../src/client/errors/tally-error.js'
import { InvalidEventError } from '../../src/client/errors/invalid-event-error.js'
import { judgeNow } from '../../src/client/lazy-judge.js'
import { normalizeOptions } from '../../src/client/options.js'
import type { StoredEvent } from '../../src/client/stores/event-store.js'
import { createTelemetryClient } from '../../src/client/telemetry.js'
import { fakePage as page } from './fake-page.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'

// The judge's chunk arrives when the test says so: until `arrive()`, its import waits.
const chunk = vi.hoisted(() => {
  let arrive = () => {}
  const arrived = new Promise<void>(resolve => {
    arrive = resolve
  })
  return { arrived, arrive }
})
vi.mock('../../src/client/judging.js', async importOriginal => {
  await chunk.arrived
  return importOriginal()
})

type LooseRecord = (feature: string, action: string, parameters?: unknown) => void

function client(host: ReturnType<typeof page>) {
  const transport = createTestTransport()
  const errors: TallyError[] = []
  const telemetry = createTelemetryClient(
    normalizeOptions({
      client: { name: 'web' },
      errorIntervalMs: 0,
      onError: error => errors.push(error),
    }),
    { transport, platform: host.platform, store: memoryQueue },
  )
  return { telemetry, transport, errors }
}

const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'

// In this order: the first test runs before the chunk arrives, the second makes it arrive.
describe('events wait for the judge to load', () => {
  it('a page that unloads before it came spills scrubbed copies of what it recorded', async () => {
    const first = page()
    const { telemetry, transport } = client(first)
    telemetry.recordEvent('search', 'submitted', { privateMetadata: { query: `a ${secret}` } })
    ;(telemetry.recordEvent as LooseRecord)('search', 'submitted', {
      privateMetadata: { [`key ${secret}`]: [{ deep: `Bearer ${secret}` }] },
    })
    // Invalid, with a secret where only numbers belong: the copy scrubs it all the same, and
    // the next load refuses it.
    ;(telemetry.recordEvent as LooseRecord)('search', 'typed', { metadata: { text: secret } })
    // Not plain data: no copy can hold it, and validation would refuse it.
    ;(telemetry.recordEvent as LooseRecord)('search', 'odd', { privateMetadata: { f: () => 1 } })
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(judgeNow()).toBeUndefined()
    // Counted as queued while they wait in memory; nothing is judged or sent yet.
    expect(telemetry.stats()).toMatchObject({ queued: 4, dropped: { invalid: 0 } })
    first.unload()
    expect(transport.batches).toHaveLength(0)
    const spilled = first.spilled.at(-1) ?? []
    expect(spilled.map(entry => entry.event.action)).toEqual(['submitted', 'submitted', 'typed'])
    expect(JSON.stringify(spilled)).not.toContain(secret)
    expect(JSON.stringify(spilled)).toContain('[redacted:')
    for (const entry of spilled) {
      expect(entry.bytes).toBeGreaterThan(0)
      expect(entry.event.timestamp).toBeInstanceOf(Date)
      expect(entry.event.source).toEqual({ client: 'web' })
    }
    unloaded.push(...spilled)
  })

  it('once it came, judges what waited and what an earlier page spilled: each sent once, the invalid counted', async () => {
    const next = page(unloaded.splice(0))
    const { telemetry, transport, errors } = client(next)
    telemetry.recordEvent('search', 'submitted', { privateMetadata: { query: `b ${secret}` } })
    ;(telemetry.recordEvent as LooseRecord)('Not-A-Name', 'x')
    // The earlier page's spill stays in storage until the judge is here to read it back.
    expect(telemetry.stats()).toMatchObject({ queued: 2, dropped: { invalid: 0 } })
    expect(next.leftover).toHaveLength(3)
    chunk.arrive()
    await expect.poll(() => judgeNow()).toBeDefined()
    await telemetry.flush()
    expect(transport.events.map(event => event.action).sort()).toEqual([
      'submitted',
      'submitted',
      'submitted',
    ])
    expect(new Set(transport.events.map(event => event.id)).size).toBe(3)
    expect(JSON.stringify(transport.events)).not.toContain(secret)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 3, dropped: { invalid: 2 } })
    expect(next.leftover).toHaveLength(0)
    const refused = errors.filter(error => error instanceof InvalidEventError)
    expect(refused.map(error => `${error.feature}/${error.action}`).sort()).toEqual([
      'Not-A-Name/x',
      'search/typed',
    ])
  })
})

const unloaded: StoredEvent[] = []
