// `tally insights` over the engine's registry of questions (insights/questions.ts), which the
// insights API asks too: the flags that give each parameter, and refusals that name them.
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import type { ParameterSource } from '../insights/parameters.js'
import { questions, type ParameterName, type QuestionName } from '../insights/questions.js'

/** An insights parameter as the API names it, and the flag that gives it on the command line. */
export const parameterFlags: Readonly<Record<ParameterName, string>> = {
  at: 'at',
  from: 'from',
  to: 'to',
  feature: 'feature',
  action: 'action',
  user: 'user',
  where: 'where',
  minDays: 'min-days',
  weeks: 'weeks',
} as const

/**
 * The API's refusal as the command's: the parameter's name becomes its flag, so that
 * `minDays must be …` reads `--min-days must be …`.
 */
export function asSettingError(error: InvalidParameterError): InvalidSettingError {
  const flagOf = (name: string) =>
    Object.hasOwn(parameterFlags, name) ? `--${parameterFlags[name as ParameterName]}` : name
  const message = error.message
    .replace(/^from … to /, '--from … --to ')
    .replace(/ before to$/, ' before --to')
    .replace(/^\w+/, word => (word === error.parameter ? flagOf(word) : word))
  return new InvalidSettingError(flagOf(error.parameter), message, { cause: error })
}

/** The command's parameter flags as text, the way `resolve` reads them. */
export type ParameterFlags = { [P in Exclude<ParameterName, 'where'>]?: string | undefined } & {
  where: readonly string[]
}

/** A question with its parameters parsed, ready to ask. */
export interface InsightsRequest {
  question: QuestionName
  parameters: unknown
}

/**
 * The question's parameters from the flags, read by the API's parser with `today` as the
 * default day. Throws InvalidSettingError naming the flag: a malformed value, or a flag the
 * question does not read (`--weeks` for `active-users`), which would otherwise be ignored.
 */
export function insightsRequest(
  question: QuestionName,
  flags: ParameterFlags,
  today: number,
): InsightsRequest {
  const { parse, takes } = questions[question]
  const given = (name: ParameterName) =>
    name === 'where' ? flags.where.length > 0 : flags[name] !== undefined
  for (const name of Object.keys(parameterFlags) as ParameterName[]) {
    if (given(name) && !takes.includes(name)) {
      const flag = `--${parameterFlags[name]}`
      const wanted = takes.map(other => `--${parameterFlags[other]}`).join(', ')
      throw new InvalidSettingError(
        flag,
        `${flag} does not apply to ${question}, which takes ${wanted}`,
      )
    }
  }
  const source: ParameterSource = {
    get: name =>
      name === 'where' ? flags.where[0] : flags[name as Exclude<ParameterName, 'where'>],
    all: name => (name === 'where' ? [...flags.where] : []),
  }
  try {
    return { question, parameters: parse(source, today) }
  } catch (error) {
    if (error instanceof InvalidParameterError) throw asSettingError(error)
    throw error
  }
}
