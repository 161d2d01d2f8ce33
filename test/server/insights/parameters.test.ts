import { describe, expect, it } from 'vitest'
import { InvalidParameterError } from '../../../src/server/errors/invalid-parameter-error.js'
import { isTallyServerError } from '../../../src/server/errors/tally-server-error.js'
import {
  parseAt,
  parseEvents,
  parsePowerUsers,
  parseWeeks,
  parseWindow,
  type ParameterSource,
} from '../../../src/server/insights/parameters.js'

/** 2026-08-15 as a day number. */
const today = Date.UTC(2026, 7, 15) / 86_400_000

const source = (query: string): ParameterSource => {
  const params = new URLSearchParams(query)
  return { get: name => params.get(name) ?? undefined, all: name => params.getAll(name) }
}

describe('insights parameters', () => {
  it('defaults at to today, from … to to the 30 days ending today, minDays to 10, weeks to 12', () => {
    expect(parseAt(source(''), today)).toEqual({ at: today })
    expect(parseWindow(source(''), today)).toEqual({ from: today - 29, to: today })
    expect(parseWindow(source('to=2026-08-01'), today)).toEqual({
      from: today - 14 - 29,
      to: today - 14,
    })
    expect(parsePowerUsers(source(''), today)).toEqual({ at: today, minDays: 10 })
    expect(parseWeeks(source('at=2026-08-14&weeks=52'), today)).toEqual({
      at: today - 1,
      weeks: 52,
    })
  })

  it('reads every filter of the events question, where repeated, keys with dots included', () => {
    expect(
      parseEvents(
        source(
          'feature=blob.codeintel&action=open&user=42&from=2026-08-01&to=2026-08-15' +
            '&where=durationMs:-2.5&where=hover.count:3',
        ),
        today,
      ),
    ).toEqual({
      from: today - 14,
      to: today,
      feature: 'blob.codeintel',
      action: 'open',
      userId: 42,
      where: [
        { key: 'durationMs', value: -2.5 },
        { key: 'hover.count', value: 3 },
      ],
    })
  })

  it.each([
    ['at', 'at=2026-8-1'],
    ['at', 'at=1999-12-31'],
    ['at', 'at=2026-13-01'],
    ['from', 'from=2026-08-16'],
    ['weeks', 'weeks=0'],
    ['weeks', 'weeks=%2012'],
    ['minDays', 'minDays=ten'],
    ['where', 'where=:1'],
    ['where', 'where=x:'],
    ['where', 'where=x:NaN'],
    [
      'where',
      'where=a:1&where=b:1&where=c:1&where=d:1&where=e:1&where=f:1&where=g:1&where=h:1&where=i:1',
    ],
    ['user', 'user=0'],
    ['action', 'action=has%20space'],
  ])('names %s when refusing %s', (parameter, query) => {
    const parse = () => {
      parseEvents(source(query), today)
      parsePowerUsers(source(query), today)
      parseWeeks(source(query), today)
    }
    let thrown: unknown
    try {
      parse()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidParameterError)
    expect(isTallyServerError(thrown)).toBe(true)
    expect((thrown as InvalidParameterError).parameter).toBe(parameter)
    expect((thrown as InvalidParameterError).message).toMatch(new RegExp(`^${parameter} `))
  })
})
