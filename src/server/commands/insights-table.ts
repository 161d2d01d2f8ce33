// `tally insights` without --json: each answer as a small aligned table, read from the same
// answer the API sends as JSON.
import type {
  ActiveUsersAnswer,
  AtRiskAnswer,
  EventsAnswer,
  FeaturesAnswer,
  LifecycleAnswer,
  PowerUsersAnswer,
  RetentionAnswer,
  SessionsAnswer,
} from '../insights/answers.js'
import type { QuestionName } from '../insights/questions.js'

/** Each question's answer, as answers.ts declares it. */
export interface InsightsAnswers {
  events: EventsAnswer
  'active-users': ActiveUsersAnswer
  'power-users': PowerUsersAnswer
  sessions: SessionsAnswer
  features: FeaturesAnswer
  'at-risk': AtRiskAnswer
  lifecycle: LifecycleAnswer
  retention: RetentionAnswer
}

type Cell = string | number

/** The widest bar of the power-users histogram, in characters. */
const maxBarLength = 40

/**
 * Rows under a header, columns two spaces apart: numbers right-aligned, text left-aligned, no
 * trailing spaces. A row may stop short of the header (a young retention cohort).
 */
export function alignedTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  const all = [header, ...rows]
  const widths = header.map((_, column) =>
    Math.max(...all.map(row => String(row[column] ?? '').length)),
  )
  // A column of numbers, or of numbers formatted (`2.50`, `12.5%`), reads right-aligned.
  const numeric = header.map((_, column) =>
    rows.every(row => row[column] === undefined || /^-?[\d.]+%?$/.test(String(row[column]))),
  )
  return all
    .map(row =>
      header
        .map((_, column) => {
          const text = String(row[column] ?? '')
          const width = widths[column] ?? 0
          return numeric[column] ? text.padStart(width) : text.padEnd(width)
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`

/** A bar of up to maxBarLength characters, at least one for any count above zero. */
function bar(count: number, max: number): string {
  if (count === 0 || max === 0) return ''
  return '#'.repeat(Math.max(1, Math.round((count / max) * maxBarLength)))
}

const formatters: { [Q in QuestionName]: (answer: InsightsAnswers[Q]) => string } = {
  events: answer =>
    [
      alignedTable(
        ['', 'count'],
        [
          ['events', answer.events],
          ['users', answer.users],
        ],
      ),
      '',
      `from the ${answer.coverage.source === 'rollups' ? 'daily rollups' : 'raw events'}, ${
        answer.coverage.since === null
          ? 'which hold no events'
          : `which hold the days since ${answer.coverage.since}`
      }`,
    ].join('\n'),
  'active-users': answer =>
    alignedTable(
      [`at ${answer.at}`, 'users'],
      [
        ['daily (dau)', answer.dau],
        ['weekly (wau)', answer.wau],
        ['monthly (mau)', answer.mau],
        ['stickiness', percent(answer.stickiness)],
      ],
    ),
  'power-users': answer => {
    const max = Math.max(0, ...answer.histogram.map(entry => entry.users))
    return [
      alignedTable(
        ['active days', 'users', ''],
        answer.histogram.map(entry => [entry.days, entry.users, bar(entry.users, max)]),
      ),
      '',
      `power users: ${answer.powerUsers}`,
    ].join('\n')
  },
  sessions: answer =>
    alignedTable(
      ['', 'count'],
      [
        ['sessions', answer.sessions],
        ['multi-feature', answer.multiFeature],
      ],
    ),
  features: answer =>
    [
      `active users: ${answer.activeUsers}`,
      '',
      answer.features.length === 0
        ? 'no feature used in the window'
        : alignedTable(
            ['feature', 'events', 'users', 'active days per user'],
            answer.features.map(usage => [
              usage.feature,
              usage.events,
              usage.users,
              usage.activeDaysPerUser.toFixed(2),
            ]),
          ),
    ].join('\n'),
  'at-risk': answer =>
    answer.users.length === 0
      ? 'no user at risk'
      : alignedTable(
          ['user', 'active days', 'last active'],
          answer.users.map(user => [user.userId, user.activeDays, user.lastActive]),
        ),
  lifecycle: answer =>
    alignedTable(
      ['week of', 'new', 'returning', 'resurrecting', 'dormant'],
      answer.weeks.map(week => [
        week.start,
        week.new,
        week.returning,
        week.resurrecting,
        week.dormant,
      ]),
    ),
  retention: answer => {
    const weeks = Math.max(0, ...answer.cohorts.map(cohort => cohort.active.length))
    return answer.cohorts.length === 0
      ? 'no cohort in the weeks asked'
      : alignedTable(
          ['cohort', 'size', ...Array.from({ length: weeks }, (_, week) => `week ${week}`)],
          answer.cohorts.map(cohort => [cohort.start, cohort.size, ...cohort.active]),
        )
  },
}

/** The answer to `question` as `tally insights` prints it without --json. */
export function formatInsights<Q extends QuestionName>(
  question: Q,
  answer: InsightsAnswers[Q],
): string {
  return formatters[question](answer)
}
