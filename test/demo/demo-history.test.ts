import { describe, expect, it } from 'vitest'
import { validateEvent } from '../../src/protocol/validate.js'
import {
  demoClient,
  demoLastEventId,
  generateDemoHistory,
  type DemoRecord,
} from '../../src/demo/demo-history.js'

const dayMs = 86_400_000
const now = new Date('2026-03-18T15:30:00Z')
const today = Math.floor(now.getTime() / dayMs)
const history = generateDemoHistory({ now, seed: 7 })

/** Each subject's active UTC days, from the planted events alone. */
function activeDays(records: readonly DemoRecord[]): Map<string, Set<number>> {
  const days = new Map<string, Set<number>>()
  for (const { subject, event } of records) {
    const set = days.get(subject) ?? new Set<number>()
    set.add(Math.floor(event.timestamp.getTime() / dayMs))
    days.set(subject, set)
  }
  return days
}

const daysOf = activeDays(history)
const personaOf = new Map(history.map(({ subject, persona }) => [subject, persona]))
const count = (set: ReadonlySet<number>, from: number, to: number) =>
  [...set].filter(day => day >= from && day <= to).length
const subjectsOf = (persona: DemoRecord['persona']) =>
  [...daysOf.keys()].filter(subject => personaOf.get(subject) === persona)

describe('generateDemoHistory', () => {
  it('repeats itself for a seed and differs for another', () => {
    expect(generateDemoHistory({ now, seed: 7 })).toEqual(history)
    const other = generateDemoHistory({ now, seed: 8 })
    expect(other.map(({ event }) => event.timestamp)).not.toEqual(
      history.map(({ event }) => event.timestamp),
    )
  })

  it('plants tens of thousands of events of 300 users over 90 days up to now, oldest first', () => {
    expect(history.length).toBeGreaterThan(40_000)
    expect(history.length).toBeLessThan(150_000)
    expect(daysOf.size).toBe(300)
    const times = history.map(({ event }) => event.timestamp.getTime())
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(times.at(-1)).toBeLessThanOrEqual(now.getTime())
    // A user's morning in a timezone east of UTC may fall on the day before the first.
    expect(times[0]).toBeGreaterThanOrEqual((today - 90) * dayMs)
    expect(history.at(-1)?.event.id).toBe(demoLastEventId(7))
    expect(new Set(history.map(({ event }) => event.id)).size).toBe(history.length)
  })

  it('writes only events that validate, all from the demo data client', () => {
    const problems = history
      .map(({ event }) => validateEvent(event))
      .filter(verdict => !verdict.valid)
    expect(problems).toEqual([])
    expect(new Set(history.map(({ event }) => event.source.client))).toEqual(new Set([demoClient]))
    expect(history.every(({ subject }) => subject.startsWith('demo:'))).toBe(true)
  })

  it('records the demo app features, regular expression searches among them', () => {
    const names = new Set(history.map(({ event }) => `${event.feature}/${event.action}`))
    expect(names).toEqual(
      new Set([
        'search/submitted',
        'search.result/clicked',
        'blob.codeintel/hover',
        'blob.codeintel/goToDefinition',
        'notebook/viewed',
      ]),
    )
    const searches = history.filter(({ event }) => event.feature === 'search')
    const regex = searches.filter(({ event }) => event.parameters.metadata?.regex === 1)
    expect(regex.length).toBeGreaterThan(searches.length * 0.05)
    expect(regex.length).toBeLessThan(searches.length * 0.5)
  })

  it('groups events into sessions of several events, more on weekdays than at weekends', () => {
    const sessions = new Map<string, number>()
    for (const { event } of history) {
      sessions.set(event.sessionId, (sessions.get(event.sessionId) ?? 0) + 1)
    }
    const sizes = [...sessions.values()]
    expect(sizes.reduce((sum, size) => sum + size, 0) / sizes.length).toBeGreaterThan(3)
    const weekend = history.filter(({ event }) => [0, 6].includes(event.timestamp.getUTCDay()))
    // Weekends are 2 days of 7: an even spread would put 29 % of events there.
    expect(weekend.length / history.length).toBeLessThan(0.15)
  })

  it('has power users active on 10 or more of the last 30 days', () => {
    const power = subjectsOf('power').filter(
      subject => count(daysOf.get(subject) ?? new Set(), today - 29, today) >= 10,
    )
    expect(power.length).toBeGreaterThanOrEqual(subjectsOf('power').length * 0.8)
  })

  it('has drifting users at risk: 4+ active days in the 28 ending 14 days ago, none since', () => {
    const atRisk = [...daysOf].filter(
      ([, days]) =>
        count(days, today - 41, today - 14) >= 4 && count(days, today - 13, today) === 0,
    )
    expect(atRisk.length).toBeGreaterThanOrEqual(subjectsOf('drifting').length * 0.7)
    expect(atRisk.every(([subject]) => personaOf.get(subject) !== 'power')).toBe(true)
  })

  it('has newcomers first active within the last three weeks', () => {
    const newcomers = subjectsOf('newcomer')
    expect(newcomers.length).toBeGreaterThan(20)
    for (const subject of newcomers) {
      expect(Math.min(...(daysOf.get(subject) ?? []))).toBeGreaterThan(today - 21)
    }
  })

  it('has users who come back after three weeks or more away', () => {
    const resurrected = [...daysOf.values()].filter(set => {
      const sorted = [...set].sort((a, b) => a - b)
      return sorted.some((day, index) => index > 0 && day - (sorted[index - 1] ?? day) >= 21)
    })
    expect(resurrected.length).toBeGreaterThanOrEqual(subjectsOf('resurrecting').length * 0.8)
  })
})
