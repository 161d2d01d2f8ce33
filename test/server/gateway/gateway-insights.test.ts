import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInsightsRoutes } from '../../../src/server/admin/insights-routes.js'
import { encodeExportBatch } from '../../../src/server/export/gateway-client.js'
import { createGateway } from '../../../src/server/gateway/gateway.js'
import type { GatewayStore } from '../../../src/server/gateway/gateway-store.js'
import { openTemporaryGatewayStore } from '../../../src/server/gateway/temporary-gateway-store.js'
import { formatDay } from '../../../src/server/insights/days.js'
import { questionNames } from '../../../src/server/insights/questions.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { plantedExport } from '../../contract/gateway-store.contract.js'
import { firstDay, historyDays, plantHistory } from '../../contract/insights-history.js'
import { oracleActiveUsers, oracleEvents } from '../../contract/insights-oracle.js'

const keys = new Map([
  ['acme', 'acme-key-0123456789'],
  ['globex', 'globex-key-0123456789'],
])
const adminKey = 'admin-key-0123456789'
const planted = plantHistory(12)
const exported = planted.map(plantedExport)
/** "Today" for both sides' default days: the history's last day. */
const now = () => new Date((firstDay + historyDays - 1) * 86_400_000 + 3_600_000)

let store: GatewayStore
let instanceStore: ServerEventStore
let directory: string
let gateway: ReturnType<typeof createGateway>
let instanceApi: ReturnType<typeof createInsightsRoutes>

beforeAll(async () => {
  store = await openTemporaryGatewayStore()
  gateway = createGateway({ store, instanceKeys: keys, adminKey, now })
  for (let at = 0; at < exported.length; at += 500) {
    const response = await gateway.request('/v1/events', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.get('acme') ?? ''}`,
        'x-tally-instance': 'acme',
      },
      body: encodeExportBatch(exported.slice(at, at + 500), new Date()),
    })
    expect(response.status).toBe(200)
  }
  // The instance that exported them: the same events, as its ingest stored them.
  directory = mkdtempSync(join(tmpdir(), 'tally-gateway-insights-'))
  instanceStore = openSqliteStore({ path: join(directory, 'tally.db') })
  await instanceStore.migrate()
  await instanceStore.insert(
    exported.map(event => ({
      event: {
        id: event.id,
        timestamp: event.clientTimestamp,
        feature: event.feature,
        action: event.action,
        source: event.source,
        sessionId: event.sessionId,
        parameters: event.parameters,
      },
      userId: event.userId,
      receivedAt: event.receivedAt,
      correctedTimestamp: event.timestamp,
    })),
  )
  if (instanceStore.insights === undefined) throw new Error('SQLite keeps insights')
  instanceApi = createInsightsRoutes({ insights: instanceStore.insights, now })
}, 60_000)

afterAll(async () => {
  await store.close()
  await instanceStore.close()
  rmSync(directory, { recursive: true, force: true })
})

async function ask(question: string, query: string, key: string | null = adminKey) {
  const response = await gateway.request(`/v1/insights/${question}?${query}`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('gateway: GET /v1/insights/<question>', () => {
  it('answers active users over the exported events, as planted', async () => {
    for (const day of [firstDay + 10, firstDay + 70, firstDay + 119]) {
      const { status, body } = await ask('active-users', `instance=acme&at=${formatDay(day)}`)
      const expected = oracleActiveUsers(planted, day)
      expect(status).toBe(200)
      expect({ ...body, stickiness: (body.stickiness as number).toFixed(12) }).toEqual({
        at: formatDay(day),
        ...expected,
        stickiness: expected.stickiness.toFixed(12),
      })
    }
  })

  it('takes the same filters as the instance, answered as planted', async () => {
    const from = firstDay + 30
    const to = firstDay + 59
    const { body } = await ask(
      'events',
      `instance=acme&from=${formatDay(from)}&to=${formatDay(to)}&feature=chat&where=durationMs:100`,
    )
    expect(body).toEqual({
      ...oracleEvents(planted, {
        from,
        to,
        feature: 'chat',
        where: [{ key: 'durationMs', value: 100 }],
      }),
      // durationMs is no flag: the raw events answer, which the gateway holds from the first day.
      coverage: { source: 'events', since: formatDay(firstDay) },
    })
  })

  it.each<[string, string]>([
    ...questionNames.map((name): [string, string] => [name, 'instance=acme']),
    ['power-users', `instance=acme&at=${formatDay(firstDay + 80)}&minDays=3`],
    ['lifecycle', `instance=acme&at=${formatDay(firstDay + 90)}&weeks=8`],
    ['features', `instance=acme&from=${formatDay(firstDay)}&to=${formatDay(firstDay + 119)}`],
    ['events', 'instance=acme&user=3&action=open'],
  ])("answers %s (%s) exactly as the instance's insights API does", async (question, query) => {
    const gatewayAnswer = await ask(question, query)
    const instanceAnswer = await instanceApi.request(`/${question}?${query}`)
    expect(gatewayAnswer.status).toBe(200)
    expect(gatewayAnswer.body).toEqual(await instanceAnswer.json())
  })

  it("refuses a bad parameter as the instance's API does", async () => {
    const query = 'instance=acme&at=2026-02-30'
    const gatewayAnswer = await ask('active-users', query)
    const instanceAnswer = await instanceApi.request(`/active-users?${query}`)
    expect(gatewayAnswer.status).toBe(400)
    expect(instanceAnswer.status).toBe(400)
    expect(gatewayAnswer.body).toEqual(await instanceAnswer.json())
  })

  it("answers for the instance's own key, never for another's", async () => {
    expect((await ask('active-users', 'instance=acme', keys.get('acme') ?? '')).status).toBe(200)
    const refused = await ask('active-users', 'instance=acme', keys.get('globex') ?? '')
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ error: { code: 'unauthorized' } })
    expect((await ask('active-users', 'instance=acme', null)).status).toBe(401)
  })

  it('answers 404 for an instance it never heard from, and for an unknown question', async () => {
    const unheard = await ask('active-users', 'instance=globex')
    expect(unheard.status).toBe(404)
    expect(unheard.body).toMatchObject({ error: { code: 'not-found' } })
    expect((await ask('nothing', 'instance=acme')).status).toBe(404)
  })
})
