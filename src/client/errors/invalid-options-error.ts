import { TallyError } from './tally-error.js'

/** Thrown at once by `createTelemetry` for an option that cannot work: misuse, not a run-time failure. */
export class InvalidOptionsError extends TallyError {
  override name = 'InvalidOptionsError' as const
  readonly option: string

  constructor(option: string, message: string) {
    super('invalid-options', `Invalid option ${option}: ${message}`)
    this.option = option
  }
}
