import { Hono } from 'hono'
import { answerQuestion } from '../insights/answer-question.js'
import { questionNames } from '../insights/questions.js'
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
  for (const name of questionNames) {
    app.get(`/${name}`, c => answerQuestion(c, insights, name, now()))
  }
  return app
}
