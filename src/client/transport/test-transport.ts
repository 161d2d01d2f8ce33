import type { EventBatch, TelemetryEvent } from '../../protocol/event.js'
import type { SendContext, SendResult, Transport } from './transport.js'

export type Answer = SendResult | ((batch: EventBatch) => SendResult | Promise<SendResult>)

/** A transport for tests: records every batch sent and answers as scripted. */
export interface TestTransport extends Transport {
  /** Every batch sent, in order, including those answered with a failure. */
  readonly batches: EventBatch[]
  /** The events of every batch sent, in order (an event sent twice appears twice). */
  readonly events: TelemetryEvent[]
  /** The context of every send, in order (to check credentials and aborts). */
  readonly contexts: SendContext[]
  /** Answers the next sends with these, in order, then falls back to the default. */
  answerNext(...answers: Answer[]): void
  /** Replaces the default answer (initially: accept every event). */
  answerWith(answer: Answer): void
}

/** Accepts every event of a batch. */
export function acceptAll(batch: EventBatch): SendResult {
  return { type: 'success', accepted: batch.events.map(event => event.id), rejected: [] }
}

export function createTestTransport(): TestTransport {
  const batches: EventBatch[] = []
  const events: TelemetryEvent[] = []
  const contexts: SendContext[] = []
  const scripted: Answer[] = []
  let fallback: Answer = acceptAll
  return {
    batches,
    events,
    contexts,
    answerNext(...answers) {
      scripted.push(...answers)
    },
    answerWith(answer) {
      fallback = answer
    },
    async send(batch, context) {
      batches.push(batch)
      events.push(...batch.events)
      contexts.push(context)
      const answer = scripted.shift() ?? fallback
      return typeof answer === 'function' ? answer(batch) : answer
    },
  }
}
