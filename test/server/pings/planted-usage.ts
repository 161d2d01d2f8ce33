/*
 * A planted history for the daily ping's tests: events stored through the ingest role with
 * distinctive strings everywhere a ping must never look (user subjects, metadata keys,
 * privateMetadata, sessions, clients), and the ping's numbers answered from the planted
 * events in a few obvious lines, never with the code under test.
 */
import { seededRandom } from '../../../src/demo/seeded-random.js'
import type { IngestStore, IngestedEvent } from '../../../src/server/stores/server-event-store.js'

export const dayMs = 86_400_000
/** The day the tests' pings summarize: 2026-11-20. */
export const pingDay = Date.UTC(2026, 10, 20) / dayMs
/** Strings planted in the events that no ping may carry. */
export const secrets = {
  subject: 'zz-subject-',
  metadataKey: 'zzLeakyMetadataKey',
  privateKey: 'zzPrivateKey',
  privateValue: 'zz-private-value-/home/alice/.ssh/id_rsa',
  session: 'zz-session-',
  client: 'zz-client',
  billing: 'zz-billing-product',
} as const

export interface PlantedUse {
  subject: string
  feature: string
  action: string
  ms: number
}

/**
 * Hand-placed edges around `pingDay` (D), then seeded noise from D-45 to D+2:
 * - `edge-a` uses search.submitted at D 00:00:00.000 and search.opened at D 23:59:59.999 (two
 *   actions of one feature on D: counted once in the feature's users), nav.open at the first
 *   instant of D-29 (inside the month) and chat.send at the last instant of D-30 (outside).
 * - `edge-b` uses search.submitted at the first instant of D+1 (after the day) and
 *   codeintel.hover at D-29 23:59:59.999.
 */
export function plantUsage(seed = 7): PlantedUse[] {
  const D = pingDay * dayMs
  const uses: PlantedUse[] = [
    { subject: 'edge-a', feature: 'search', action: 'submitted', ms: D },
    { subject: 'edge-a', feature: 'search', action: 'opened', ms: D + dayMs - 1 },
    { subject: 'edge-a', feature: 'nav', action: 'open', ms: D - 29 * dayMs },
    { subject: 'edge-a', feature: 'chat', action: 'send', ms: D - 29 * dayMs - 1 },
    { subject: 'edge-b', feature: 'search', action: 'submitted', ms: D + dayMs },
    { subject: 'edge-b', feature: 'codeintel', action: 'hover', ms: D - 28 * dayMs - 1 },
  ]
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const catalogue = [
    ['search', 'submitted'],
    ['search', 'opened'],
    ['search', 'filtered'],
    ['nav', 'open'],
    ['codeintel', 'hover'],
    ['codeintel', 'goToDefinition'],
    ['chat', 'send'],
    ['blob.view', 'scroll'],
  ] as const
  for (let user = 1; user <= 14; user += 1) {
    const density = 0.05 + random() * 0.4
    for (let day = pingDay - 45; day <= pingDay + 2; day += 1) {
      if (random() > density) continue
      const count = 1 + Math.floor(random() * 4)
      for (let n = 0; n < count; n += 1) {
        const [feature, action] = pick(catalogue)
        uses.push({
          subject: `user-${user}`,
          feature,
          action,
          ms: day * dayMs + Math.floor(random() * dayMs),
        })
      }
    }
  }
  return uses
}

/** Stores the uses as events, each carrying the planted secrets; resolves when stored. */
export async function storeUsage(store: IngestStore, uses: readonly PlantedUse[]): Promise<void> {
  const events: IngestedEvent[] = []
  for (const [index, use] of uses.entries()) {
    const at = new Date(use.ms)
    events.push({
      event: {
        id: `ping-event-${String(index).padStart(6, '0')}`,
        timestamp: at,
        feature: use.feature,
        action: use.action,
        source: { client: secrets.client, clientVersion: '9.9.9-zz' },
        sessionId: `${secrets.session}${use.subject}`,
        parameters: {
          version: 1,
          metadata: { [secrets.metadataKey]: 424_242 },
          privateMetadata: { [secrets.privateKey]: secrets.privateValue },
          billingMetadata: { product: secrets.billing, category: 'zz-category' },
        },
      },
      userId: await store.userId(`${secrets.subject}${use.subject}`),
      receivedAt: at,
      correctedTimestamp: at,
    })
  }
  await store.insert(events)
}

const dayOf = (use: PlantedUse) => Math.floor(use.ms / dayMs)
const within = (uses: readonly PlantedUse[], from: number, to: number) =>
  uses.filter(use => dayOf(use) >= from && dayOf(use) <= to)
const counted = (uses: readonly PlantedUse[]) => ({
  events: uses.length,
  users: new Set(uses.map(use => use.subject)).size,
})

/** The numbers of the ping for `day`, from the definitions (docs/protocol.md). */
export function expectedPing(uses: readonly PlantedUse[], day: number) {
  const users = (from: number) => new Set(within(uses, from, day).map(use => use.subject)).size
  const month = within(uses, day - 29, day)
  const onDay = within(uses, day, day)
  let userDays = 0
  for (let d = day - 29; d <= day; d += 1) {
    userDays += new Set(within(uses, d, d).map(use => use.subject)).size
  }
  const mau = users(day - 29)
  // A space sorts before any character of a name, so these sort by feature, then action.
  const actions = [...new Set(month.map(use => `${use.feature} ${use.action}`))].sort()
  const features = [...new Set(month.map(use => use.feature))].sort()
  return {
    dau: users(day),
    wau: users(day - 6),
    mau,
    stickiness: mau === 0 ? 0 : userDays / (30 * mau),
    features: actions.map(key => {
      const [feature, action] = key.split(' ') as [string, string]
      const of = (list: readonly PlantedUse[]) =>
        list.filter(use => use.feature === feature && use.action === action)
      return { feature, action, day: counted(of(onDay)), month: counted(of(month)) }
    }),
    featureTotals: features.map(feature => {
      const of = (list: readonly PlantedUse[]) => list.filter(use => use.feature === feature)
      return { feature, day: counted(of(onDay)), month: counted(of(month)) }
    }),
  }
}

/** Every string in a JSON value, keys and values alike. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(stringsIn)
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)])
  }
  return []
}
