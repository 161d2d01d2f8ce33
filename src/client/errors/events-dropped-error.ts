import { TallyError } from './tally-error.js'

/** Why events were dropped on purpose; each reason is a counter in `stats().dropped`. */
export type DropReason = 'overflow' | 'invalid' | 'rejected' | 'disabled' | 'shutdown'

/**
 * Reported through `onError` when queued events are dropped: the queue overflowed, the backend
 * refused them, telemetry was turned off, or `shutdown()` ended with events it could not keep.
 */
export class EventsDroppedError extends TallyError {
  override name = 'EventsDroppedError' as const
  readonly reason: DropReason
  readonly count: number

  constructor(reason: DropReason, count: number, detail: string) {
    super(
      'events-dropped',
      `Dropped ${count} event${count === 1 ? '' : 's'} (${reason}): ${detail}`,
    )
    this.reason = reason
    this.count = count
  }
}
