import { describe, expect, it } from 'vitest'
import { bearerTokens } from '../../src/server/auth.js'
import { createTelemetryHandler } from '../../src/server/handler.js'
import type { TelemetryEvent } from '../../src/protocol/event.js'
import { encodeBatch } from '../../src/protocol/wire.js'
import { createMemoryServerEventStore } from './memory-server-event-store.js'
import { sampleEvent } from '../support/events.js'

const token = 'sgp_local_0123456789abcdef'

describe('POST /.api/telemetry/events with an Authorization header and 48,000 spaces (issue 11)', () => {
  it('rejects that event alone with a reason, stores the other', async () => {
    const memory = createMemoryServerEventStore()
    const handler = createTelemetryHandler({
      store: memory,
      authenticate: bearerTokens(new Map([['ci', token]])),
      now: () => new Date('2026-11-27T12:00:10Z'),
    })
    const post = (events: unknown[]) =>
      handler.fetch(
        new Request('http://127.0.0.1/.api/telemetry/events', {
          method: 'POST',
          body: encodeBatch({
            events: events as TelemetryEvent[],
            sentAt: new Date('2026-11-27T12:00:00Z'),
          }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        }),
      )
    const header = 'authorization:' + ' '.repeat(48_000)
    const big = sampleEvent({ parameters: { version: 1, privateMetadata: { header } } })
    const fine = sampleEvent({ parameters: { version: 1, privateMetadata: { q: 'token=abc123' } } })
    const response = await post([big, fine])
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      accepted: [fine.id],
      rejected: [{ id: big.id, reason: expect.stringContaining('bytes encoded') as string }],
    })
    expect(memory.rows().map(row => row.event.parameters.privateMetadata)).toContainEqual({
      q: 'token=[redacted:assignment]',
    })
    // It blocked the whole server for 4 to 8 s while a scrub rule backtracked: the size is now
    // judged before any scrubbing (test/protocol/validate-bounds.test.ts spies on the scrubber),
    // and every rule is linear (test/protocol/scrub-linear.test.ts compares times by ratio).
  })
})
