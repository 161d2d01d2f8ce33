// A deterministic usage history for the insights benchmark: users of varied habits over 90 days,
// each active day a few sessions of several events, features drawn with a long tail.
import type { TelemetryEvent } from '../src/protocol/event.js'
import type { IngestedEvent } from '../src/server/stores/server-event-store.js'
import { seededRandom } from '../src/demo/seeded-random.js'

export const dayMs = 86_400_000
export const historyDays = 90
/** The history's last day, which the benchmark's questions treat as today. */
export const lastDay = Date.UTC(2026, 8, 30) / dayMs

/** ~25 feature/action pairs, most used first. */
const actions: readonly (readonly [string, string])[] = [
  ['search', 'submitted'],
  ['search', 'results.viewed'],
  ['blob', 'viewed'],
  ['nav', 'open'],
  ['codeintel', 'hover'],
  ['codeintel', 'definition'],
  ['codeintel', 'references'],
  ['repo', 'viewed'],
  ['chat', 'submitted'],
  ['chat', 'copied'],
  ['completion', 'accepted'],
  ['completion', 'shown'],
  ['notebook', 'run'],
  ['insights', 'viewed'],
  ['batch-changes', 'applied'],
  ['batch-changes', 'previewed'],
  ['settings', 'saved'],
  ['extension', 'installed'],
  ['search-context', 'created'],
  ['saved-search', 'created'],
  ['code-monitor', 'created'],
  ['own', 'viewed'],
  ['embeddings', 'queried'],
  ['admin', 'viewed'],
  ['signup', 'completed'],
]

interface User {
  id: number
  /** The day of the first event: most users are there from the start, some join later. */
  joins: number
  /** The chance of being active on a given day after joining. */
  activity: number
}

/**
 * `totalEvents` events from `userCount` users over the 90 days ending at `lastDay`, in time
 * order day by day (as they would arrive). Sessions are sized so the total comes out exact.
 */
export function* history(totalEvents: number, userCount: number): Generator<IngestedEvent> {
  const random = seededRandom(2026)
  const firstDay = lastDay - historyDays + 1
  const users: User[] = Array.from({ length: userCount }, (_, index) => ({
    id: index + 1,
    joins: firstDay + (random() < 0.7 ? 0 : Math.floor(random() * historyDays)),
    activity: 0.1 + random() * 0.85,
  }))
  // Expected user-days still to come from each day on, to size sessions so that the events
  // spread over all 90 days and the total comes out at `totalEvents`.
  const remainingUserDays = Array.from({ length: historyDays + 1 }, (_, offset) =>
    users.reduce(
      (sum, u) =>
        sum + u.activity * Math.max(0, lastDay - Math.max(u.joins, firstDay + offset) + 1),
      0,
    ),
  )
  const sessionsPerDay = 3
  // Long tail: the k-th action is drawn with weight 1 / (k + 1).
  const weights = actions.map((_, k) => 1 / (k + 1))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  let sum = 0
  const cumulative = weights.map(w => (sum += w / totalWeight))
  const pickAction = () => {
    const r = random()
    const index = cumulative.findIndex(c => r < c)
    return actions[index < 0 ? actions.length - 1 : index] ?? ['search', 'submitted']
  }
  let emitted = 0
  let sessionNumber = 0
  function* session(userId: number, day: number, size: number): Generator<IngestedEvent> {
    sessionNumber += 1
    const sessionId = `session-${sessionNumber.toString(36).padStart(10, '0')}`
    // Mostly one feature, with a few others on the way.
    const home = pickAction()
    let ms = day * dayMs + Math.floor(random() * (dayMs - 3_600_000))
    for (let e = 0; e < size && emitted < totalEvents; e += 1) {
      emitted += 1
      ms += Math.floor(random() * 20_000)
      const [feature, action] = random() < 0.7 ? home : pickAction()
      const timestamp = new Date(ms)
      const event: TelemetryEvent = {
        id: `bench-${emitted.toString(36).padStart(12, '0')}`,
        timestamp,
        feature,
        action,
        source: { client: 'web', clientVersion: '6.1.0' },
        sessionId,
        parameters: {
          version: 1,
          metadata: {
            regex: random() < 0.2 ? 1 : 0,
            durationMs: Math.floor(random() * 20) * 50,
            resultCount: Math.floor(random() * 100),
          },
        },
      }
      yield { event, userId, correctedTimestamp: timestamp, receivedAt: timestamp }
    }
  }
  for (let day = firstDay; day <= lastDay; day += 1) {
    const expected = (remainingUserDays[day - firstDay] ?? 1) * sessionsPerDay
    const eventsPerSession = Math.max(1, (totalEvents - emitted) / expected)
    // A small history has fewer active user-days rather than sessions of less than one event.
    const scale = Math.min(1, (totalEvents - emitted) / expected)
    for (const user of users) {
      if (day < user.joins || random() >= user.activity * scale) continue
      const sessions = 1 + Math.floor(random() * (2 * sessionsPerDay - 1))
      for (let s = 0; s < sessions; s += 1) {
        yield* session(user.id, day, 1 + Math.floor(random() * (2 * eventsPerSession - 1)))
      }
    }
  }
  // Chance leaves a few short: they go to the last day, as more sessions of random users.
  while (emitted < totalEvents) {
    const user = users[Math.floor(random() * users.length)] ?? { id: 1 }
    yield* session(user.id, lastDay, 10)
  }
}
