import type { BillingMetadata, TelemetryEvent } from '../protocol/event.js'

/**
 * Enriches an event before it is scrubbed and validated: in the batched step at the end of the
 * task that recorded it, not inside `recordEvent`. Processors mutate the draft they are given;
 * a processor that throws is reported and skipped.
 */
export interface EventProcessor {
  readonly name: string
  process(event: TelemetryEvent): void
}

export function sourceProcessor(client: {
  name: string
  version: string | undefined
}): EventProcessor {
  const source =
    client.version === undefined
      ? { client: client.name }
      : { client: client.name, clientVersion: client.version }
  return {
    name: 'source',
    process(event) {
      event.source = { ...source }
    },
  }
}

/**
 * A session lasts until `timeoutMs` pass without an event; its id is shared by its events.
 * Measured on the events' own timestamps, since processors run after recording, in a batch.
 */
export function sessionProcessor(timeoutMs: number, newId: () => string): EventProcessor {
  let sessionId = ''
  let lastEventAt = -Infinity
  return {
    name: 'session',
    process(event) {
      const at = event.timestamp.getTime()
      if (at - lastEventAt > timeoutMs) sessionId = newId()
      lastEventAt = at
      event.sessionId = sessionId
    },
  }
}

export function billingProcessor(billingMetadata: BillingMetadata): EventProcessor {
  return {
    name: 'billing',
    process(event) {
      event.parameters.billingMetadata ??= { ...billingMetadata }
    },
  }
}
