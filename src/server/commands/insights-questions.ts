// The questions `tally insights` asks, each with the parser and the answering module the
// insights API uses, so that the command and the API take the same values and answer the
// same numbers.
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { activeUsers } from '../insights/active-users.js'
import { atRisk } from '../insights/at-risk.js'
import { events } from '../insights/events.js'
import { features } from '../insights/features.js'
import { lifecycle } from '../insights/lifecycle.js'
import {
  parseAt,
  parseEvents,
  parsePowerUsers,
  parseWeeks,
  parseWindow,
  type ParameterSource,
} from '../insights/parameters.js'
import { powerUsers } from '../insights/power-users.js'
import { retention } from '../insights/retention.js'
import { sessions } from '../insights/sessions.js'
import type { InsightsStore } from '../stores/insights-store.js'

/** The question names, as the API's paths and the command's first argument spell them. */
export const questionNames = [
  'events',
  'active-users',
  'power-users',
  'sessions',
  'features',
  'at-risk',
  'lifecycle',
  'retention',
] as const

export type QuestionName = (typeof questionNames)[number]

/** An insights parameter as the API names it, and the flag that gives it on the command line. */
export const parameterFlags = {
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

export type ParameterName = keyof typeof parameterFlags

interface Question<P> {
  parse: (source: ParameterSource, today: number) => P
  ask: (store: InsightsStore, parameters: P) => Promise<unknown>
  /** The parameters the question reads; a flag for another is refused. */
  takes: readonly ParameterName[]
}

// The registry forgets each question's parameter type: an entry's `parse` and `ask` are only
// ever used together, so the parameters `ask` receives are always its own question's.
const question = <P>(definition: Question<P>): Question<unknown> => definition as Question<unknown>

const dayWindow = ['from', 'to'] as const
const weeks = ['at', 'weeks'] as const

export const questions: Record<QuestionName, Question<unknown>> = {
  events: question({
    parse: parseEvents,
    ask: events,
    takes: [...dayWindow, 'feature', 'action', 'user', 'where'],
  }),
  'active-users': question({ parse: parseAt, ask: activeUsers, takes: ['at'] }),
  'power-users': question({ parse: parsePowerUsers, ask: powerUsers, takes: ['at', 'minDays'] }),
  sessions: question({ parse: parseWindow, ask: sessions, takes: dayWindow }),
  features: question({ parse: parseWindow, ask: features, takes: dayWindow }),
  'at-risk': question({ parse: parseAt, ask: atRisk, takes: ['at'] }),
  lifecycle: question({ parse: parseWeeks, ask: lifecycle, takes: weeks }),
  retention: question({ parse: parseWeeks, ask: retention, takes: weeks }),
}

export const isQuestionName = (name: string): name is QuestionName =>
  (questionNames as readonly string[]).includes(name)

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
