import { TallyServerError } from '../errors/tally-server-error.js'
import { dayOf } from '../insights/days.js'
import { questions, type QuestionName } from '../insights/questions.js'
import { insightsRequest, type ParameterFlags } from './insights-questions.js'
import { formatInsights, type InsightsAnswers } from './insights-table.js'
import { openStore, type StorageOptions } from './options.js'

export interface InsightsCommandOptions extends StorageOptions, ParameterFlags {
  question: QuestionName
  /** Print the API's JSON answer rather than a table. */
  json: boolean
  /** "Today" for the default days. @default () => new Date() */
  now?: () => Date
}

/**
 * `tally insights QUESTION`: opens the store, asks the question as the insights API asks it
 * and returns what to print, the API's JSON (byte for byte) or a table. Throws
 * InvalidSettingError naming the flag for a parameter the question refuses.
 */
export async function runInsights(options: InsightsCommandOptions): Promise<string> {
  const today = dayOf((options.now ?? (() => new Date()))())
  const { question, parameters } = insightsRequest(options.question, options, today)
  const store = await openStore(options)
  try {
    const { insights } = store
    if (insights === undefined) {
      throw new TallyServerError('store', `the ${store.kind} store keeps no insights`)
    }
    const answer = await questions[question].ask(insights, parameters)
    return options.json
      ? JSON.stringify(answer)
      : // The registry pairs each question with its own module: the answer is that question's.
        formatInsights(question, answer as InsightsAnswers[typeof question])
  } finally {
    await store.close()
  }
}
