import type { Context } from 'hono'
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import type { InsightsStore } from '../stores/insights-store.js'
import { dayOf } from './days.js'
import type { ParameterSource } from './parameters.js'
import { questions, type QuestionName } from './questions.js'

/** A request's query as a question's parameters. */
export const querySource = (c: Context): ParameterSource => ({
  get: name => c.req.query(name),
  all: name => c.req.queries(name) ?? [],
})

/**
 * Answers one question over HTTP, as every insights API does (the instance's admin API, the
 * gateway's per-instance one): its parameters parsed from the query (`at` defaults to `now`'s
 * UTC day, `from`/`to` to the 30 days ending it), then its answer as JSON, or 400
 * `{ error: { code: 'bad-request', message } }` naming the parameter at fault.
 */
export async function answerQuestion(
  c: Context,
  insights: InsightsStore,
  name: QuestionName,
  now: Date,
): Promise<Response> {
  const { parse, ask } = questions[name]
  let parameters: unknown
  try {
    parameters = parse(querySource(c), dayOf(now))
  } catch (error) {
    if (error instanceof InvalidParameterError) {
      return c.json({ error: { code: 'bad-request', message: error.message } }, 400)
    }
    throw error
  }
  return c.json(await ask(insights, parameters))
}
