import { EventsDroppedError } from '../errors/events-dropped-error.js'
import type { ErrorReporter } from '../error-reporter.js'
import type { Counters } from '../stats.js'
import type { EventStore, StoredEvent } from '../stores/event-store.js'
import type { RejectedEvent, SendContext, SendResult, Transport } from '../transport/transport.js'

type SendSuccess = Extract<SendResult, { type: 'success' }>

/** A refusal that keeps the batch: try again later, or once the credentials change. */
export type Refusal = Extract<SendResult, { type: 'retryable' | 'unauthorized' }>

/** What became of one batch, as far as the sender's state goes. */
export type Delivery = 'sent' | 'aborted' | Refusal

export interface DeliveryDependencies {
  store: EventStore
  transport: Transport
  counters: Counters
  report: ErrorReporter
  credentials: () => Omit<SendContext, 'signal'>
  /** Told the ids that left the queue (acknowledged or dropped) and the store's count after. */
  removed: (ids: readonly string[], count: number) => void
  now: () => number
}

/**
 * One batch to the transport and its answer applied to the store, after the response classes
 * of docs/protocol.md: acknowledged and refused ids leave the queue, a 413 splits the batch.
 * Whether and when to send again is the sender's to decide.
 */
export function createDelivery(deps: DeliveryDependencies) {
  const { store, counters, report } = deps

  const removeAll = async (ids: string[]) => {
    if (ids.length === 0) return
    deps.removed(ids, await store.remove(ids))
  }

  const send = async (
    events: readonly StoredEvent[],
    signal: AbortSignal | undefined,
    keepalive = false,
  ): Promise<SendResult> => {
    const context: SendContext = {
      ...deps.credentials(),
      ...(signal ? { signal } : {}),
      ...(keepalive ? { keepalive } : {}),
    }
    try {
      return await deps.transport.send(
        { events: events.map(entry => entry.event), sentAt: new Date(deps.now()) },
        context,
      )
    } catch (error) {
      // A transport should return a result, but one that throws must not lose the batch.
      return { type: 'retryable', reason: error instanceof Error ? error.message : String(error) }
    }
  }

  /** Drops refused ids, counted; the detail is the backend's own reason. */
  const drop = async (ids: string[], detail: string) => {
    counters.dropped.rejected += ids.length
    await removeAll(ids)
    report(new EventsDroppedError('rejected', ids.length, detail))
  }

  /**
   * Applies a 2xx answer to the batch it answers: acknowledged ids leave the queue, ids
   * reported invalid are dropped and counted. Ids of other batches in the answer are ignored.
   */
  const settle = async (batch: readonly StoredEvent[], result: SendSuccess) => {
    const inBatch = new Set(batch.map(entry => entry.event.id))
    const accepted = result.accepted.filter(id => inBatch.has(id))
    const rejected = result.rejected.filter(entry => inBatch.has(entry.id))
    counters.sent += accepted.length
    await removeAll(accepted)
    if (rejected.length > 0) {
      await drop(
        rejected.map(entry => entry.id),
        (rejected[0] as RejectedEvent).reason,
      )
    }
    return { answered: accepted.length + rejected.length, total: inBatch.size }
  }

  const deliver = async (
    events: StoredEvent[],
    signal: AbortSignal | undefined,
  ): Promise<Delivery> => {
    const result = await send(events, signal)
    if (signal?.aborted) return 'aborted'
    switch (result.type) {
      case 'success': {
        const { answered, total } = await settle(events, result)
        if (answered === total) return 'sent'
        return {
          type: 'retryable',
          reason: `the backend answered for ${answered} of ${total} events`,
        }
      }
      case 'retryable':
      case 'unauthorized':
        return result
      case 'too-large': {
        if (events.length === 1) {
          await drop([(events[0] as StoredEvent).event.id], result.reason)
          return 'sent'
        }
        const middle = Math.ceil(events.length / 2)
        for (const half of [events.slice(0, middle), events.slice(middle)]) {
          const outcome = await deliver(half, signal)
          if (outcome !== 'sent') return outcome
        }
        return 'sent'
      }
      case 'rejected':
        await drop(
          events.map(entry => entry.event.id),
          result.reason,
        )
        return 'sent'
    }
  }

  return { send, settle, deliver }
}

export type Delivering = ReturnType<typeof createDelivery>
