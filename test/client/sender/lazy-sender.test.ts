import { describe, expect, it } from 'vitest'
import { memoryQueue } from '../memory-queue.js'
import { loadJudge } from '../../../src/client/lazy-judge.js'
import { normalizeOptions } from '../../../src/client/options.js'
import { createTelemetryClient } from '../../../src/client/telemetry.js'
import { fakePage as page } from '../fake-page.js'
import { createTestTransport } from '../../../src/client/transport/test-transport.js'

// This file never preloads the sender's chunk: each client here finds it missing at first.
// The judge's chunk is here from the start (lazy-judge.test.ts is about it missing).
await loadJudge()

const secret = 'sk-proj-' + 'abc123def456ghi789jkl012mno345'

describe('the sender loads lazily', () => {
  it('a page that unloads before the chunk came spills every event, scrubbed, and the next load sends each once', async () => {
    const first = page()
    const transport = createTestTransport()
    const options = normalizeOptions({ client: { name: 'web' }, flushIntervalMs: 0 })
    const telemetry = createTelemetryClient(options, {
      transport,
      platform: first.platform,
      store: memoryQueue,
    })
    for (let i = 0; i < 5; i++) {
      telemetry.recordEvent('search', 'submitted', { privateMetadata: { query: `${secret}${i}` } })
    }
    // The first write asks for an idle period to load the sender in; the page goes first.
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(first.idle).toHaveLength(1)
    first.unload()
    expect(transport.batches).toHaveLength(0)
    const spilled = first.spilled.flat()
    expect(spilled).toHaveLength(5)
    expect(JSON.stringify(spilled)).not.toContain(secret)

    const next = page([...spilled])
    const nextTransport = createTestTransport()
    const reloaded = createTelemetryClient(options, {
      transport: nextTransport,
      platform: next.platform,
      store: memoryQueue,
    })
    await reloaded.flush()
    const ids = nextTransport.events.map(event => event.id)
    expect(ids.sort()).toEqual(spilled.map(entry => entry.event.id).sort())
    expect(new Set(ids).size).toBe(5)
    expect(JSON.stringify(nextTransport.events)).not.toContain(secret)
  })

  it('loads the sender in the idle period that follows the first write, and sends', async () => {
    const host = page()
    const transport = createTestTransport()
    const telemetry = createTelemetryClient(
      normalizeOptions({ client: { name: 'web' }, flushIntervalMs: 0 }),
      { transport, platform: host.platform, store: memoryQueue },
    )
    telemetry.recordEvent('search', 'submitted')
    await new Promise(resolve => setTimeout(resolve, 0))
    for (const load of host.idle.splice(0)) load()
    await expect.poll(() => transport.events.length).toBe(1)
    expect(telemetry.stats()).toMatchObject({ queued: 0, sent: 1 })
  })
})
