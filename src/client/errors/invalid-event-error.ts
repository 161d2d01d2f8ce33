import type { ValidationProblem } from '../../protocol/validate.js'
import { TallyError } from './tally-error.js'

/** Reported through `onError` when `recordEvent` drops an event that fails validation. */
export class InvalidEventError extends TallyError {
  override name = 'InvalidEventError' as const
  readonly feature: string
  readonly action: string
  readonly problems: readonly ValidationProblem[]

  constructor(feature: string, action: string, problems: readonly ValidationProblem[]) {
    const first = problems[0]
    const summary = first ? `${first.path || 'event'} ${first.reason}` : 'invalid'
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ''
    super('invalid-event', `Dropped event ${feature}/${action}: ${summary}${more}`)
    this.feature = feature
    this.action = action
    this.problems = problems
  }
}
