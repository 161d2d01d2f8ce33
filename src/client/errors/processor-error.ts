import { TallyError } from './tally-error.js'

/** Reported through `onError` when an event processor throws; the event is kept as it was. */
export class ProcessorError extends TallyError {
  override name = 'ProcessorError' as const

  constructor(processor: string, options?: { cause?: unknown }) {
    super('processor', `Event processor ${processor} threw`, options)
  }
}
