import { firstDay, historyDays } from './insights-history.js'
import type { EventsQuestion } from './insights-oracle.js'

/* What the insights contract asks of the planted history. */

/** Windows: one day each side of the midnight session, a week, 30 days, all of it, and before it. */
export const windows = [
  { from: firstDay + 69, to: firstDay + 69 },
  { from: firstDay + 70, to: firstDay + 70 },
  { from: firstDay + 69, to: firstDay + 70 },
  { from: firstDay + 40, to: firstDay + 46 },
  { from: firstDay + 30, to: firstDay + 59 },
  { from: firstDay, to: firstDay + historyDays - 1 },
  { from: firstDay - 30, to: firstDay - 1 },
]

export const eventsQuestions: EventsQuestion[] = windows.flatMap(window => [
  { ...window, where: [] },
  { ...window, feature: 'search', where: [] },
  { ...window, feature: 'nav', action: 'open', where: [] },
  { ...window, userId: 3, where: [] },
  { ...window, userId: 30, where: [] },
  { ...window, where: [{ key: 'durationMs', value: 50 }] },
  {
    ...window,
    feature: 'chat',
    where: [
      { key: 'durationMs', value: 100 },
      { key: 'count', value: 0 },
    ],
  },
  { ...window, where: [{ key: 'absent', value: 0 }] },
  // Flags alone, no user: from the flag rollups.
  { ...window, where: [{ key: 'regex', value: 1 }] },
  { ...window, where: [{ key: 'cache.hit', value: 0 }] },
  {
    ...window,
    where: [
      { key: 'regex', value: 0 },
      { key: 'cache.hit', value: 1 },
    ],
  },
  { ...window, feature: 'search', where: [{ key: 'regex', value: 1 }] },
  { ...window, feature: 'nav', action: 'open', where: [{ key: 'count', value: 1 }] },
  { ...window, action: 'run', where: [{ key: 'cache.hit', value: 1 }] },
  { ...window, where: [{ key: 'delta', value: 0 }] },
  // Other values, or a user: from the raw events.
  { ...window, where: [{ key: 'delta', value: -2 }] },
  { ...window, where: [{ key: 'ratio', value: 0.25 }] },
  { ...window, where: [{ key: 'ratio', value: 1.25 }] },
  { ...window, userId: 3, where: [{ key: 'regex', value: 1 }] },
  {
    ...window,
    where: [
      { key: 'regex', value: 1 },
      { key: 'durationMs', value: 50 },
      { key: 'cache.hit', value: 0 },
    ],
  },
])

/** The source the events question reads for `question`, as the API documents it. */
export const expectedSource = (question: EventsQuestion): 'rollups' | 'events' =>
  question.where.length === 0 ||
  (question.userId === undefined && question.where.every(({ value }) => value === 0 || value === 1))
    ? 'rollups'
    : 'events'

/**
 * Days to ask about: before the history (empty windows), its first day, the days around the
 * single events and the midnight session, every ninth day, its last day and long after.
 */
export const askedDays = [
  firstDay - 1,
  firstDay,
  firstDay + 40,
  firstDay + 41,
  firstDay + 69,
  firstDay + 70,
  ...Array.from({ length: 14 }, (_, n) => firstDay + 5 + n * 9),
  firstDay + historyDays - 1,
  firstDay + historyDays + 20,
  firstDay + 500,
]
