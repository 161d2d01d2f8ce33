import { createTelemetryClient, type Telemetry } from '../../src/client/telemetry.js'
import { memoryQueue } from './memory-queue.js'
import { nullPlatform } from '../../src/client/platform/platform.js'
import { normalizeOptions, type TelemetryOptions } from '../../src/client/options.js'
import type { TallyError } from '../../src/client/errors/tally-error.js'
import {
  createTestTransport,
  type TestTransport,
} from '../../src/client/transport/test-transport.js'
import type { EventStore } from '../../src/client/stores/event-store.js'
import { loadJudge } from '../../src/client/lazy-judge.js'
import { preloadSender } from '../../src/client/sender/lazy-sender.js'

// The sender's and the judge's chunks, loaded once for the file: the tests here are about
// recording and sending, not about loading (test/client/lazy-sender.test.ts and
// lazy-judge.test.ts are), and fake timers cannot wait for an import.
await preloadSender()
await loadJudge()

export interface Harness {
  telemetry: Telemetry
  transport: TestTransport
  errors: TallyError[]
}

/** A client wired to a test transport, reporting every error (no rate limit) into `errors`. */
export function setup(options: Partial<TelemetryOptions> = {}, store?: EventStore): Harness {
  const transport = createTestTransport()
  const errors: TallyError[] = []
  const telemetry = createTelemetryClient(
    normalizeOptions({
      client: { name: 'web', version: '6.1.0' },
      errorIntervalMs: 0,
      onError: error => errors.push(error),
      ...options,
    }),
    {
      transport,
      store: store ?? memoryQueue,
      platform: nullPlatform,
    },
  )
  return { telemetry, transport, errors }
}

/** Lets queued microtasks and zero-delay work run under fake timers. */
export async function settle(vi: { advanceTimersByTimeAsync(ms: number): Promise<unknown> }) {
  await vi.advanceTimersByTimeAsync(0)
}
