import { TallyError } from './tally-error.js'

/** Reported through `onError` when the durable store fails and the client falls back to memory. */
export class StorageError extends TallyError {
  override name = 'StorageError' as const

  constructor(message: string, options?: { cause?: unknown }) {
    super('storage', message, options)
  }
}
