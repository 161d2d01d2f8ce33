import { TallyServerError } from './tally-server-error.js'

/** A question asked with a parameter that is not one: the API answers 400, the CLI exits 2. */
export class InvalidParameterError extends TallyServerError {
  override name = 'InvalidParameterError'
  /** The parameter's name as the caller wrote it: `from`, `minDays`, `where`. */
  readonly parameter: string

  constructor(parameter: string, message: string) {
    super('invalid-parameter', message)
    this.parameter = parameter
  }
}
