import { TallyError } from './tally-error.js'

/** Reported through `onError` when a send fails; the events stay queued unless a drop is reported too. */
export class DeliveryError extends TallyError {
  override name = 'DeliveryError' as const
  /** When the next attempt is due, in ms from now; absent when sending is paused. */
  readonly retryInMs: number | undefined

  constructor(message: string, retryInMs: number | undefined, options?: { cause?: unknown }) {
    super('delivery', message, options)
    this.retryInMs = retryInMs
  }
}
