import { describe, expect, it } from 'vitest'
import { alignedTable, formatInsights } from '../../../src/server/commands/insights-table.js'

describe('tally insights: the table', () => {
  it('aligns columns two spaces apart, numbers right and text left, without trailing spaces', () => {
    expect(
      alignedTable(
        ['feature', 'events'],
        [
          ['search', 1200],
          ['blob.codeintel', 7],
        ],
      ),
    ).toBe(
      ['feature         events', 'search            1200', 'blob.codeintel       7'].join('\n'),
    )
  })

  it('shows active users as one row per window, stickiness as a percentage', () => {
    expect(
      formatInsights('active-users', {
        at: '2026-06-30',
        dau: 3,
        wau: 12,
        mau: 40,
        stickiness: 0.125,
      }),
    ).toBe(
      [
        'at 2026-06-30  users',
        'daily (dau)        3',
        'weekly (wau)      12',
        'monthly (mau)     40',
        'stickiness     12.5%',
      ].join('\n'),
    )
  })

  it('draws the power-users histogram as rows with a bar scaled to the largest', () => {
    const histogram = Array.from({ length: 30 }, (_, index) => ({
      days: index + 1,
      users: index === 0 ? 100 : index === 1 ? 50 : index === 29 ? 1 : 0,
    }))
    const lines = formatInsights('power-users', { histogram, powerUsers: 1 }).split('\n')
    expect(lines[0]).toBe('active days  users')
    expect(lines[1]).toBe(`          1    100  ${'#'.repeat(40)}`)
    expect(lines[2]).toBe(`          2     50  ${'#'.repeat(20)}`)
    expect(lines[3]).toBe('          3      0')
    // One user of 100 still shows: a bar is at least one character.
    expect(lines[30]).toBe('         30      1  #')
    expect(lines.slice(-2)).toEqual(['', 'power users: 1'])
  })

  it('shows one row per lifecycle week, oldest first', () => {
    expect(
      formatInsights('lifecycle', {
        weeks: [
          { start: '2026-06-10', new: 5, returning: 0, resurrecting: 0, dormant: 0 },
          { start: '2026-06-17', new: 2, returning: 4, resurrecting: 1, dormant: -3 },
        ],
      }),
    ).toBe(
      [
        'week of     new  returning  resurrecting  dormant',
        '2026-06-10    5          0             0        0',
        '2026-06-17    2          4             1       -3',
      ].join('\n'),
    )
  })

  it('shows one row per retention cohort, a column per week, blank past its last week', () => {
    expect(
      formatInsights('retention', {
        cohorts: [
          { start: '2026-06-10', size: 10, active: [10, 6, 4] },
          { start: '2026-06-17', size: 3, active: [3, 1] },
          { start: '2026-06-24', size: 0, active: [0] },
        ],
      }),
    ).toBe(
      [
        'cohort      size  week 0  week 1  week 2',
        '2026-06-10    10      10       6       4',
        '2026-06-17     3       3       1',
        '2026-06-24     0       0',
      ].join('\n'),
    )
  })

  it('lists features stickiest first as answered, and says when there are none', () => {
    expect(
      formatInsights('features', {
        activeUsers: 4,
        features: [
          { feature: 'search', events: 30, users: 4, activeDaysPerUser: 2.5 },
          { feature: 'nav', events: 3, users: 1, activeDaysPerUser: 1 },
        ],
      }),
    ).toBe(
      [
        'active users: 4',
        '',
        'feature  events  users  active days per user',
        'search       30      4                  2.50',
        'nav           3      1                  1.00',
      ].join('\n'),
    )
    expect(formatInsights('features', { activeUsers: 0, features: [] })).toBe(
      'active users: 0\n\nno feature used in the window',
    )
  })

  it('shows events, sessions and users at risk', () => {
    expect(
      formatInsights('events', {
        events: 120,
        users: 7,
        coverage: { source: 'events', since: '2026-06-02' },
      }),
    ).toBe(
      [
        '        count',
        'events    120',
        'users       7',
        '',
        'from the raw events, which hold the days since 2026-06-02',
      ].join('\n'),
    )
    expect(
      formatInsights('events', {
        events: 0,
        users: 0,
        coverage: { source: 'rollups', since: null },
      }).split('\n')[4],
    ).toBe('from the daily rollups, which hold no events')
    expect(formatInsights('sessions', { sessions: 9, multiFeature: 2 })).toBe(
      ['               count', 'sessions           9', 'multi-feature      2'].join('\n'),
    )
    expect(
      formatInsights('at-risk', {
        users: [
          { userId: 12, activeDays: 20, lastActive: '2026-06-01' },
          { userId: 3, activeDays: 9, lastActive: '2026-05-28' },
        ],
      }),
    ).toBe(
      [
        'user  active days  last active',
        '  12           20  2026-06-01',
        '   3            9  2026-05-28',
      ].join('\n'),
    )
    expect(formatInsights('at-risk', { users: [] })).toBe('no user at risk')
  })
})
