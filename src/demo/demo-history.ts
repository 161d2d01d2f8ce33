import type { TelemetryEvent } from '../protocol/event.js'
import { demoNames, demoPersonas, type DemoAction, type DemoPersona } from './demo-personas.js'
import { seededRandom } from './seeded-random.js'

/** The source client of every generated event: how demo data is told apart from real usage. */
export const demoClient = 'tally-demo-data'

export interface DemoHistoryOptions {
  /** The history ends at this time, on its UTC day; nothing is generated after it. */
  now: Date
  /** Seeds the generator: the same seed and `now` give the same events. @default 1 */
  seed?: number
  /** @default 300 */
  users?: number
  /** Days of history, ending on `now`'s day. @default 90 */
  days?: number
}

/** One generated event and the subject it was recorded for (`demo:alice-1`). */
export interface DemoRecord {
  subject: string
  /** Which persona the subject plays (not stored: for tests and curious readers). */
  persona: DemoPersona['name']
  event: TelemetryEvent
}

const dayMs = 86_400_000
const minuteMs = 60_000

/** The id of the generated event at `index` in time order. */
export function demoEventId(seed: number, index: number): string {
  return `demo-${seed}-${index}`
}

/**
 * The newest event's id, the same whatever `now` was: a store that holds it holds the whole
 * history, since the history is stored oldest first.
 */
export function demoLastEventId(seed: number): string {
  return `demo-${seed}-last`
}

/** Which days (0 = the first of the history) a user of `persona` may be active on, and how likely. */
function activity(
  persona: DemoPersona,
  days: number,
  random: () => number,
): (day: number, weekend: boolean) => number {
  const base = (weekend: boolean) => (weekend ? persona.weekendRate : persona.weekdayRate)
  const last = days - 1
  switch (persona.name) {
    case 'drifting': {
      // Silent for the last 15 to 35 days, fading over the 3 weeks before.
      const lastActive = last - 15 - Math.floor(random() * 21)
      return (day, weekend) => {
        if (day > lastActive) return 0
        if (day === lastActive) return 1
        const fade = Math.min(1, (lastActive - day) / 21)
        return base(weekend) * (0.4 + 0.6 * fade)
      }
    }
    case 'newcomer': {
      // Two days back at the latest: a later day's working hours may all lie after `now`.
      const joined = last - 2 - Math.floor(random() * 19)
      return (day, weekend) => (day < joined ? 0 : day === joined ? 1 : base(weekend))
    }
    case 'resurrecting': {
      const away = 20 + Math.floor(random() * 15)
      const back = last - 3 - Math.floor(random() * 11)
      return (day, weekend) => (day === back ? 1 : day < away || day >= back ? base(weekend) : 0)
    }
    default: {
      // One day surely active, so that every user of the history has events.
      const anchor = Math.floor(random() * (days - 2))
      return (day, weekend) => (day === anchor ? 1 : base(weekend))
    }
  }
}

function pick<T extends string>(weights: Readonly<Record<T, number>>, random: () => number): T {
  const entries = Object.entries(weights) as [T, number][]
  let roll = random() * entries.reduce((sum, [, weight]) => sum + weight, 0)
  const found = entries.find(([, weight]) => (roll -= weight) < 0) ?? entries[entries.length - 1]
  if (found === undefined) throw new RangeError('no weights to pick from')
  return found[0]
}

const between = ([min, max]: readonly [number, number], random: () => number) =>
  min + Math.floor(random() * (max - min + 1))

/**
 * The feature, action and numeric metadata of one event: the demo app's three, and a hover and a
 * result click such an app would record beside them.
 */
function eventOf(
  action: DemoAction,
  persona: DemoPersona,
  random: () => number,
): Pick<TelemetryEvent, 'feature' | 'action' | 'parameters'> {
  switch (action) {
    case 'search': {
      const regex = random() < persona.regexRate ? 1 : 0
      const resultCount = Math.floor(random() * (regex ? 40 : 120))
      return {
        feature: 'search',
        action: 'submitted',
        parameters: { version: 1, metadata: { regex, resultCount } },
      }
    }
    case 'click':
      return {
        feature: 'search.result',
        action: 'clicked',
        parameters: { version: 1, metadata: { resultIndex: Math.floor(random() * random() * 20) } },
      }
    case 'hover':
      return {
        feature: 'blob.codeintel',
        action: 'hover',
        parameters: { version: 1, metadata: { durationMs: 300 + Math.floor(random() * 4000) } },
      }
    case 'definition':
      return {
        feature: 'blob.codeintel',
        action: 'goToDefinition',
        parameters: { version: 1, metadata: { resultIndex: Math.floor(random() * 10) } },
      }
    case 'notebook':
      return { feature: 'notebook', action: 'viewed', parameters: { version: 1 } }
  }
}

/** Each persona's users, in proportion to its share; rounding's last users are regulars. */
function personaOf(user: number, users: number): DemoPersona {
  let bound = 0
  return (
    demoPersonas.find(persona => user < Math.round((bound += persona.share * users))) ?? regular
  )
}

const regular = demoPersonas.find(persona => persona.name === 'regular') as DemoPersona

// Where the demo's users are, as hours from UTC: their working day moves with them.
const utcOffsets = [-8, -7, -5, -4, 0, 1, 1, 2, 3, 5.5, 8, 9]

/**
 * A pure, seeded history of `days` days of use of the demo app by `users` users of the
 * personas in `demo-personas.ts`: sessions of several events at working hours of each user's
 * timezone, more on weekdays, oldest first. Ids follow from the seed and the position, so a
 * second generation for the same seed and day repeats the first exactly.
 */
export function generateDemoHistory(options: DemoHistoryOptions): DemoRecord[] {
  const seed = options.seed ?? 1
  const users = options.users ?? 300
  const days = options.days ?? 90
  const nowMs = options.now.getTime()
  const firstDayMs = (Math.floor(nowMs / dayMs) - (days - 1)) * dayMs
  const random = seededRandom(seed)
  const drafts: (Omit<DemoRecord, 'event'> & { event: Omit<TelemetryEvent, 'id'> })[] = []
  const source = { client: demoClient, clientVersion: '1' }

  for (let user = 0; user < users; user += 1) {
    const persona = personaOf(user, users)
    const subject = `demo:${demoNames[user % demoNames.length] ?? 'user'}-${user + 1}`
    const offsetHours = utcOffsets[Math.floor(random() * utcOffsets.length)] ?? 0
    const rate = activity(persona, days, random)
    for (let day = 0; day < days; day += 1) {
      const dayStartMs = firstDayMs + day * dayMs
      const weekday = new Date(dayStartMs).getUTCDay()
      if (random() >= rate(day, weekday === 0 || weekday === 6)) continue
      const sessions = between(persona.sessions, random)
      for (let session = 0; session < sessions; session += 1) {
        // A working day of 8:00 to 19:00 local time, sessions spread over it.
        const localHours = 8 + (11 * (session + random())) / sessions
        let atMs = dayStartMs + (localHours - offsetHours) * 3_600_000
        const sessionId = `demo-${seed}-s${user}-${day}-${session}`
        const count = between(persona.events, random)
        for (let index = 0; index < count; index += 1) {
          if (atMs > nowMs) break
          const action = index === 0 ? 'search' : pick(persona.mix, random)
          drafts.push({
            subject,
            persona: persona.name,
            event: {
              timestamp: new Date(Math.round(atMs)),
              sessionId,
              source,
              ...eventOf(action, persona, random),
            },
          })
          // Seconds to a few minutes between events, now and then a longer read.
          atMs += 5_000 + random() * random() * 4 * minuteMs
        }
      }
    }
  }

  // Stable: events at the same millisecond keep their generation order.
  drafts.sort((a, b) => a.event.timestamp.getTime() - b.event.timestamp.getTime())
  return drafts.map(({ event, ...draft }, index) => ({
    ...draft,
    event: {
      id: index === drafts.length - 1 ? demoLastEventId(seed) : demoEventId(seed, index),
      ...event,
    },
  }))
}
