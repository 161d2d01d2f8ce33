import { Hono, type Context } from 'hono'
import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { dayOf } from '../insights/days.js'
import type { ParameterSource } from '../insights/parameters.js'
import { questionNames, questions } from '../insights/questions.js'
import type { InsightsStore } from '../stores/insights-store.js'

export interface InsightsRoutesOptions {
  insights: InsightsStore
  /** "Today" for the default days. @default () => new Date() */
  now?: () => Date
}

/**
 * The insights API, to mount behind the admin's authentication (`/admin/api/insights`). Each
 * route parses its question's parameters (see insights/parameters.ts; `at` defaults to today
 * in UTC, `from`/`to` to the 30 days ending today) and answers the question's answer as JSON,
 * or 400 `{ error: { code: 'bad-request', message } }` naming the parameter at fault:
 *
 * `GET /events?feature=&action=&user=&from=&to=&where=KEY:VALUE`, `/active-users?at=`,
 * `/power-users?at=&minDays=`, `/sessions?from=&to=`, `/features?from=&to=`, `/at-risk?at=`,
 * `/lifecycle?at=&weeks=`, `/retention?at=&weeks=`.
 */
export function createInsightsRoutes({
  insights,
  now = () => new Date(),
}: InsightsRoutesOptions): Hono {
  const app = new Hono()

  /** A route answering `question`, its parameters read by `parse` from the query. */
  const route = <P, A>(
    path: string,
    parse: (source: ParameterSource, today: number) => P,
    question: (store: InsightsStore, parameters: P) => Promise<A>,
  ) => {
    app.get(path, async (c: Context) => {
      let parameters: P
      try {
        parameters = parse(querySource(c), dayOf(now()))
      } catch (error) {
        if (error instanceof InvalidParameterError) {
          return c.json({ error: { code: 'bad-request', message: error.message } }, 400)
        }
        throw error
      }
      return c.json(await question(insights, parameters))
    })
  }

  for (const name of questionNames) route(`/${name}`, questions[name].parse, questions[name].ask)
  return app
}

const querySource = (c: Context): ParameterSource => ({
  get: name => c.req.query(name),
  all: name => c.req.queries(name) ?? [],
})
