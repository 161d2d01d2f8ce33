// Every question the engine answers, with the parser of its parameters and the module that
// answers it: the insights API, the usage page's routes and `tally insights` all ask through
// this one registry, so that they take the same values and answer the same numbers.
import { activeUsers } from './active-users.js'
import { atRisk } from './at-risk.js'
import { events } from './events.js'
import { features } from './features.js'
import { lifecycle } from './lifecycle.js'
import {
  parseAt,
  parseEvents,
  parsePowerUsers,
  parseWeeks,
  parseWindow,
  type ParameterSource,
} from './parameters.js'
import { powerUsers } from './power-users.js'
import { retention } from './retention.js'
import { sessions } from './sessions.js'
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

/** A parameter a question reads, as the API's query names it. */
export type ParameterName =
  'at' | 'from' | 'to' | 'feature' | 'action' | 'user' | 'where' | 'minDays' | 'weeks'

export interface Question<P> {
  parse: (source: ParameterSource, today: number) => P
  ask: (store: InsightsStore, parameters: P) => Promise<unknown>
  /** The parameters the question reads (`tally insights` refuses a flag for another). */
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
