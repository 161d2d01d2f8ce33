import type { BillingMetadata, TelemetryEvent } from '../protocol/event.js'

/**
 * Enriches an event at record time, before it is scrubbed and validated. Processors mutate
 * the draft they are given; a processor that throws is reported and skipped.
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

/** A session lasts until `timeoutMs` pass without an event; its id is shared by its events. */
export function sessionProcessor(
  timeoutMs: number,
  now: () => number,
  newId: () => string,
): EventProcessor {
  let sessionId = ''
  let lastEventAt = -Infinity
  return {
    name: 'session',
    process(event) {
      const at = now()
      if (at - lastEventAt > timeoutMs) sessionId = newId()
      lastEventAt = at
      event.sessionId = sessionId
    },
  }
}

export function interactionProcessor(current: () => string | undefined): EventProcessor {
  return {
    name: 'interaction',
    process(event) {
      if (event.parameters.interactionId !== undefined) return
      const interactionId = current()
      if (interactionId !== undefined) event.parameters.interactionId = interactionId
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
