/*
 * A planted history for the insights' oracle tests: a seeded generator writes the events as
 * `tally import` lines, and the oracle answers each question from the planted events in a few
 * obvious lines (arrays and Sets), never with the code under test.
 */

import { seededRandom } from '../../src/demo/seeded-random.js'

export const dayMs = 86_400_000
/** 2026-06-01, the history's first day. */
export const firstDay = Date.UTC(2026, 5, 1) / dayMs
export const historyDays = 120
export const features = ['search', 'nav', 'codeintel', 'chat'] as const

export interface Planted {
  id: string
  userId: number
  feature: string
  action: string
  ms: number
  sessionId: string
  metadata: Record<string, number>
}

/**
 * ~30 users over 120 days: regulars, users who stop (at risk), users who come back, users
 * with a single event, and events at 23:59:59.999 and 00:00:00.000 on either side of midnight.
 */
export function plantHistory(seed = 12): Planted[] {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const events: Planted[] = []
  let next = 0
  const add = (userId: number, ms: number, sessionId: string, feature = pick(features)) => {
    next += 1
    events.push({
      id: `event-${String(next).padStart(6, '0')}`,
      userId,
      feature,
      action: pick(['run', 'open']),
      ms,
      sessionId,
      metadata: {
        durationMs: Math.floor(random() * 4) * 50,
        count: Math.floor(random() * 3),
        // Derived from the event's number, so that the random draws (and so the rest of the
        // history) stay as they were: a flag, a dotted flag carried by half the events, a
        // negative value (its 0 written -0) and a fractional one.
        regex: next % 3 === 0 ? 1 : 0,
        ...(next % 2 === 0 ? { 'cache.hit': next % 4 === 0 ? 1 : 0 } : {}),
        delta: -(next % 4),
        ratio: (next % 5) / 4,
      },
    })
  }
  for (let userId = 1; userId <= 28; userId += 1) {
    const start = Math.floor(random() * 60)
    const stop = userId % 5 === 0 ? start + 20 + Math.floor(random() * 30) : historyDays
    const density = 0.1 + random() * 0.5
    for (let offset = start; offset < Math.min(stop, historyDays); offset += 1) {
      if (random() > density) continue
      const day = firstDay + offset
      const sessionId = `session-${userId}-${offset}`
      const count = 1 + Math.floor(random() * 2)
      for (let n = 0; n < count; n += 1) {
        add(userId, day * dayMs + Math.floor(random() * dayMs), sessionId)
      }
    }
  }
  // Users with a single event, one of them on the last instant of a day.
  add(29, (firstDay + 40) * dayMs + 12 * 3_600_000, 'session-single-29')
  add(30, (firstDay + 41) * dayMs - 1, 'session-single-30')
  // One session across midnight: each side of it is one feature on its own day.
  add(31, (firstDay + 70) * dayMs - 1, 'session-midnight', 'search')
  add(31, (firstDay + 70) * dayMs, 'session-midnight', 'nav')
  add(32, (firstDay + 89) * dayMs, 'session-first-instant', 'chat')
  return events
}

/** The history as `tally import` lines, each event as the wire carries it plus `userId`. */
export function importLine(event: Planted): string {
  return JSON.stringify({
    id: event.id,
    timestamp: new Date(event.ms).toISOString(),
    feature: event.feature,
    action: event.action,
    source: { client: 'web', clientVersion: '1.0.0' },
    sessionId: event.sessionId,
    parameters: { version: 1, metadata: event.metadata },
    userId: event.userId,
  })
}

/** The columns a version 1 schema stored for a planted event, for the backfill tests. */
export function v1Row(event: Planted) {
  const line = JSON.parse(importLine(event)) as Record<string, unknown>
  delete line.userId
  return {
    id: event.id,
    userId: event.userId,
    feature: event.feature,
    action: event.action,
    ms: event.ms,
    payload: JSON.stringify(line),
  }
}
