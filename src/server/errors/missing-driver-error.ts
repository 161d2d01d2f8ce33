import { TallyServerError } from './tally-server-error.js'

/** The store chosen needs a database driver that is not installed (an optional peer). */
export class MissingDriverError extends TallyServerError {
  override name = 'MissingDriverError'
  /** The npm package to install: `better-sqlite3` or `pg`. */
  readonly driver: string

  constructor(driver: string, message: string, options?: { cause?: unknown }) {
    super('missing-driver', message, options)
    this.driver = driver
  }
}
