import { describe, expect, it } from 'vitest'
import { questionNames } from '../../../src/server/insights/questions.js'
import { resolve } from '../../../src/server/settings/resolve.js'

// 2026-07-15: the day the insights' dates default to in these tests.
const now = new Date('2026-07-15T12:00:00Z')
const noFiles = {
  readFile: (path: string): string => {
    throw new Error(`no file ${path}`)
  },
}

const resolveAt = (command: string, argv: string[], env: Record<string, string> = {}) =>
  resolve(command, argv, env, noFiles, now)

function options(command: string, argv: string[], env: Record<string, string> = {}) {
  const resolution = resolveAt(command, argv, env)
  if (resolution.kind !== 'run') throw new Error(`not run: ${JSON.stringify(resolution)}`)
  return resolution.options
}

function refusal(command: string, argv: string[]): string {
  const resolution = resolveAt(command, argv)
  if (resolution.kind !== 'refused') throw new Error(`not refused: ${JSON.stringify(resolution)}`)
  return resolution.message
}

describe('resolve: tally insights', () => {
  it('takes the question and every flag, with serve’s storage settings and variables', () => {
    expect(
      options(
        'insights',
        [
          'events',
          '--from',
          '2026-06-01',
          '--to',
          '2026-06-30',
          '--feature',
          'search',
          '--action',
          'submitted',
          '--user',
          '42',
          '--where',
          'durationMs:250',
          '--where',
          'count:3',
          '--json',
        ],
        { TALLY_DATABASE_URL: 'postgres://tally@db/telemetry', TALLY_DATA: '/var/lib/tally' },
      ),
    ).toEqual({
      question: 'events',
      dataDir: '/var/lib/tally',
      databaseUrl: 'postgres://tally@db/telemetry',
      at: undefined,
      from: '2026-06-01',
      to: '2026-06-30',
      feature: 'search',
      action: 'submitted',
      user: '42',
      where: ['durationMs:250', 'count:3'],
      minDays: undefined,
      weeks: undefined,
      json: true,
    })
  })

  it.each([
    ['power-users', ['--at', '2026-06-30', '--min-days', '5'], { at: '2026-06-30', minDays: '5' }],
    ['lifecycle', ['--weeks', '4'], { weeks: '4' }],
    ['retention', ['--at', '2026-06-30', '--weeks', '52'], { at: '2026-06-30', weeks: '52' }],
    ['at-risk', [], {}],
    ['sessions', ['--from', '2026-06-01'], { from: '2026-06-01' }],
  ])('takes %s with %j', (question, argv, expected) => {
    expect(options('insights', [question, ...argv, '--data', '/tmp/x'])).toMatchObject({
      question,
      dataDir: '/tmp/x',
      json: false,
      ...expected,
    })
  })

  it('takes every question the API answers, and the flags before the question too', () => {
    for (const question of questionNames)
      expect(options('insights', ['--json', question])).toMatchObject({ question, json: true })
  })

  it('refuses an unknown question in one line listing the questions', () => {
    expect(refusal('insights', ['dau'])).toBe(
      'tally insights: unknown question "dau"; the questions are ' +
        'events, active-users, power-users, sessions, features, at-risk, lifecycle, retention',
    )
    expect(refusal('insights', [])).toBe(
      'tally insights: QUESTION is required (events, active-users, power-users, sessions, ' +
        'features, at-risk, lifecycle, retention), e.g. tally insights active-users',
    )
    expect(refusal('insights', ['events', 'features'])).toBe(
      'tally insights: unexpected argument "features": tally insights takes one QUESTION',
    )
  })

  it.each([
    [['active-users', '--at', '2026-02-30'], '--at must be a date YYYY-MM-DD from 2000 to 2099'],
    [['events', '--from', 'yesterday'], '--from must be a date YYYY-MM-DD from 2000 to 2099'],
    [['events', '--to', '2100-01-01'], '--to must be a date YYYY-MM-DD from 2000 to 2099'],
    [
      ['sessions', '--from', '2026-07-02', '--to', '2026-07-01'],
      '--from must be on or before --to',
    ],
    // The window ends today (2026-07-15) when --to is not given.
    [['features', '--from', '2025-01-01'], '--from … --to must span at most 400 days'],
    [
      ['events', '--feature', 'Search!'],
      '--feature must be a name such as search or blob.codeintel',
    ],
    [['events', '--action', '-x'], '--action needs a value, e.g. --action submitted'],
    [['events', '--user', '0'], '--user must be a whole number from 1 to 999999999'],
    [
      ['events', '--where', 'durationMs'],
      '--where must be KEY:VALUE, a metadata key and a finite number (durationMs:250)',
    ],
    [['power-users', '--min-days', '31'], '--min-days must be a whole number from 1 to 30'],
    [['retention', '--weeks', '0'], '--weeks must be a whole number from 1 to 52'],
    [
      ['lifecycle', '--at', '2026-06-01', '--at', '2026-06-02'],
      '--at is given twice but takes one value, e.g. --at 2026-06-30',
    ],
    [
      ['active-users', '--from', '2026-06-01'],
      '--from does not apply to active-users, which takes --at',
    ],
    [['sessions', '--weeks', '3'], '--weeks does not apply to sessions, which takes --from, --to'],
    [
      ['features', '--where', 'a:1'],
      '--where does not apply to features, which takes --from, --to',
    ],
    [['active-users', '--json=yes'], '--json takes no value, e.g. --json'],
    [
      ['active-users', '--port', '1'],
      'unknown flag --port (tally insights --help lists its flags)',
    ],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(refusal('insights', argv)).toBe(`tally insights: ${message}`)
  })

  it('refuses the ninth --where, as the API does', () => {
    const where = Array.from({ length: 9 }, (_, index) => ['--where', `k${index}:1`]).flat()
    expect(refusal('insights', ['events', ...where])).toBe(
      'tally insights: --where may be given at most 8 times',
    )
  })
})

describe('resolve: tally dump and tally import', () => {
  it('gives dump the storage settings alone', () => {
    expect(options('dump', [])).toEqual({ dataDir: './.tally', databaseUrl: undefined })
    expect(options('dump', ['--database-url', 'postgres://db/t'])).toEqual({
      dataDir: './.tally',
      databaseUrl: 'postgres://db/t',
    })
    expect(refusal('dump', ['out.jsonl'])).toBe(
      'tally dump: unexpected argument "out.jsonl" (tally dump --help lists its flags)',
    )
    expect(refusal('dump', ['--database-url', 'mysql://db'])).toBe(
      'tally dump: --database-url must be a postgres:// URL, e.g. --database-url postgres://tally@db.example.com/telemetry',
    )
  })

  it('gives import its FILE, - for standard input', () => {
    expect(options('import', ['events.jsonl', '--data', '/tmp/b'])).toEqual({
      file: 'events.jsonl',
      dataDir: '/tmp/b',
      databaseUrl: undefined,
    })
    expect(options('import', ['-'], { TALLY_DATA: '/srv/tally' })).toEqual({
      file: '-',
      dataDir: '/srv/tally',
      databaseUrl: undefined,
    })
    expect(refusal('import', [])).toBe(
      'tally import: FILE is required, e.g. tally import events.jsonl',
    )
    expect(refusal('import', ['a.jsonl', 'b.jsonl'])).toBe(
      'tally import: unexpected argument "b.jsonl": tally import takes one FILE',
    )
  })

  it('shows the argument in each command’s help', () => {
    const help = (command: string) => {
      const resolution = resolveAt(command, ['--help'])
      if (resolution.kind !== 'help') throw new Error('no help')
      return resolution.text
    }
    expect(help('insights')).toContain('Usage: tally insights QUESTION [options]')
    expect(help('insights').replace(/\s+/g, ' ')).toContain(
      'QUESTION what to ask: events, active-users, power-users, sessions, features, at-risk, lifecycle, retention',
    )
    expect(help('import')).toContain('Usage: tally import FILE [options]')
    expect(help('import')).toContain('exits 1 if any is refused')
    expect(help('dump')).toContain('Usage: tally dump [options]')
  })
})
