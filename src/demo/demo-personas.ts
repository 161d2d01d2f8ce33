/** How one kind of demo user uses the product; `demo-history.ts` plays it out day by day. */
export interface DemoPersona {
  name: 'power' | 'regular' | 'occasional' | 'drifting' | 'newcomer' | 'resurrecting'
  /** Share of the users, summing to 1 over `demoPersonas`. */
  share: number
  /** Chance of being active on a weekday, and on a Saturday or Sunday. */
  weekdayRate: number
  weekendRate: number
  /** Sessions on an active day, and events per session, inclusive. */
  sessions: readonly [number, number]
  events: readonly [number, number]
  /** Chance that a search is a regular expression search. */
  regexRate: number
  /** Weights of what a session's events after its first search are. */
  mix: Readonly<Record<DemoAction, number>>
}

export type DemoAction = 'search' | 'click' | 'hover' | 'definition' | 'notebook'

const browsing = { search: 4, click: 3, hover: 1, definition: 1, notebook: 1 }

export const demoPersonas: readonly DemoPersona[] = [
  {
    // Active most weekdays, code intelligence and regular expressions daily: the power users.
    name: 'power',
    share: 0.12,
    weekdayRate: 0.85,
    weekendRate: 0.2,
    sessions: [1, 3],
    events: [4, 11],
    regexRate: 0.4,
    mix: { search: 3, click: 2, hover: 3, definition: 3, notebook: 1 },
  },
  {
    name: 'regular',
    share: 0.28,
    weekdayRate: 0.45,
    weekendRate: 0.06,
    sessions: [1, 2],
    events: [3, 10],
    regexRate: 0.12,
    mix: browsing,
  },
  {
    name: 'occasional',
    share: 0.25,
    weekdayRate: 0.1,
    weekendRate: 0.03,
    sessions: [1, 1],
    events: [2, 6],
    regexRate: 0.03,
    mix: { search: 4, click: 3, hover: 0, definition: 0, notebook: 1 },
  },
  {
    // Regular at first, fading, then silent for 15 to 35 days: the at-risk list.
    name: 'drifting',
    share: 0.13,
    weekdayRate: 0.65,
    weekendRate: 0.1,
    sessions: [1, 2],
    events: [3, 9],
    regexRate: 0.1,
    mix: browsing,
  },
  {
    // First active within the last three weeks: lifecycle's "new".
    name: 'newcomer',
    share: 0.14,
    weekdayRate: 0.55,
    weekendRate: 0.1,
    sessions: [1, 2],
    events: [3, 8],
    regexRate: 0.05,
    mix: { search: 5, click: 3, hover: 1, definition: 1, notebook: 2 },
  },
  {
    // Active in the first month, away for weeks, back in the last two: lifecycle's "resurrecting".
    name: 'resurrecting',
    share: 0.08,
    weekdayRate: 0.45,
    weekendRate: 0.08,
    sessions: [1, 2],
    events: [3, 8],
    regexRate: 0.1,
    mix: browsing,
  },
]

/** First names for the demo subjects, `demo:<name>-<number>`. */
export const demoNames: readonly string[] = (
  'alice bob carol dave erin frank grace heidi ivan judy ken lena mallory nia oscar peggy ' +
  'quinn rupert sybil trent uma victor wendy xavier yara zoe'
).split(' ')
