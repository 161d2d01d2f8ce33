import type { Hono } from 'hono'
import { answerQuestion } from '../insights/answer-question.js'
import { questionNames } from '../insights/questions.js'
import { fail } from './gateway-answers.js'
import { authorizeRead, type InstanceKeys } from './gateway-auth.js'
import type { GatewayStore } from './gateway-store.js'

/** Where the per-instance insights are answered: `/v1/insights/<question>`. */
export const gatewayInsightsPath = '/v1/insights'

export interface InsightsRoutesOptions {
  store: GatewayStore
  instanceKeys: InstanceKeys
  adminKey: string | undefined
  now: () => Date
}

/**
 * `GET /v1/insights/<question>?instance=&…`: a question of the instance's insights API
 * (`/admin/api/insights/<question>`), with the same parameters and the same answer, over the
 * events the instance exported. 404 for an instance the gateway never heard from.
 */
export function addInsightsRoutes(app: Hono, options: InsightsRoutesOptions): void {
  for (const name of questionNames) {
    app.get(`${gatewayInsightsPath}/${name}`, async c => {
      const read = authorizeRead(c, options.instanceKeys, options.adminKey)
      if ('refused' in read) return read.refused
      const insights = await options.store.insights(read.instance)
      if (insights === undefined) {
        return fail(c, 404, 'not-found', `nothing received from instance ${read.instance}`)
      }
      return answerQuestion(c, insights, name, options.now())
    })
  }
}
