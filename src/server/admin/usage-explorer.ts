import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import type { EventsAnswer } from '../insights/answers.js'
import { formatDay, startOfDay } from '../insights/days.js'
import { events } from '../insights/events.js'
import { parseEvents, type EventsParameters, type ParameterSource } from '../insights/parameters.js'
import type { InsightsStore } from '../stores/insights-store.js'
import { dayMs } from '../stores/rows.js'
import type { UsageSpan } from './usage-data.js'
import { monthStart } from './usage-links.js'

export const explorerGroups = ['day', 'week', 'month'] as const
export type ExplorerGroup = (typeof explorerGroups)[number]

/** Each bucket is one question: past this many the explorer asks for a coarser grouping. */
export const maxExplorerBuckets = 100

/** The explorer's fields as typed, to fill the form again. */
export interface ExplorerForm {
  feature: string
  action: string
  user: string
  where: string[]
  from: string
  to: string
  group: ExplorerGroup
}

export interface ExplorerBucket {
  /** `2026-08-03`, `week of 2026-08-03` (weeks start on Monday), `2026-08`. */
  label: string
  /** The bucket's days within the question's window, as the events question's `from`/`to`. */
  from: string
  to: string
  answer: EventsAnswer
}

export type Explorer =
  | {
      ok: true
      form: ExplorerForm
      question: EventsParameters
      total: EventsAnswer
      buckets: ExplorerBucket[]
    }
  | { ok: false; form: ExplorerForm; message: string }

/**
 * The events explorer: the events question over `from … to` (the page's window when not
 * given), then once per day, week or month of it, so that each bar is the answer the API
 * gives to `/events` with that bucket's `from` and `to`.
 */
export async function readExplorer(
  insights: InsightsStore,
  source: ParameterSource,
  span: UsageSpan,
): Promise<Explorer> {
  const form = explorerForm(source, span)
  let question: EventsParameters
  let group: ExplorerGroup
  try {
    question = parseEvents(
      {
        get: name => (name === 'from' || name === 'to' ? form[name] : source.get(name)),
        all: name => source.all(name).filter(value => value !== ''),
      },
      span.to,
    )
    group = parseGroup(source.get('group'))
  } catch (error) {
    if (error instanceof InvalidParameterError) return { ok: false, form, message: error.message }
    throw error
  }
  const days = bucketsOf(question.from, question.to, group)
  if (days.length > maxExplorerBuckets) {
    return {
      ok: false,
      form,
      message: `${days.length} ${group}s is more than ${maxExplorerBuckets} bars: group by a longer period or choose fewer days`,
    }
  }
  const [total, answers] = await Promise.all([
    events(insights, question),
    Promise.all(days.map(({ from, to }) => events(insights, { ...question, from, to }))),
  ])
  const buckets = days.map(({ from, to }, index) => ({
    label: labelOf(from, group),
    from: formatDay(from),
    to: formatDay(to),
    answer: answers[index] as EventsAnswer,
  }))
  return { ok: true, form, question, total, buckets }
}

function explorerForm(source: ParameterSource, span: UsageSpan): ExplorerForm {
  const text = (name: string) => source.get(name) ?? ''
  const group = source.get('group')
  return {
    feature: text('feature'),
    action: text('action'),
    user: text('user'),
    where: source.all('where').filter(value => value !== ''),
    from: text('from') || formatDay(span.from),
    to: text('to') || formatDay(span.to),
    group: explorerGroups.find(name => name === group) ?? 'day',
  }
}

function parseGroup(text: string | undefined): ExplorerGroup {
  if (text === undefined || text === '') return 'day'
  const group = explorerGroups.find(name => name === text)
  if (group === undefined) {
    throw new InvalidParameterError('group', `group must be one of ${explorerGroups.join(', ')}`)
  }
  return group
}

/** Day 0 (1970-01-01) was a Thursday: a week starts on the Monday 3 days before. */
const mondayOf = (day: number) => day - ((((day + 3) % 7) + 7) % 7)

function nextMonthStart(day: number): number {
  const date = startOfDay(day)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / dayMs
}

/** The buckets' days, each clipped to `from … to`. */
export function bucketsOf(
  from: number,
  to: number,
  group: ExplorerGroup,
): { from: number; to: number }[] {
  const buckets: { from: number; to: number }[] = []
  let start = group === 'day' ? from : group === 'week' ? mondayOf(from) : monthStart(from)
  while (start <= to) {
    const next = group === 'day' ? start + 1 : group === 'week' ? start + 7 : nextMonthStart(start)
    buckets.push({ from: Math.max(start, from), to: Math.min(next - 1, to) })
    start = next
  }
  return buckets
}

function labelOf(day: number, group: ExplorerGroup): string {
  if (group === 'day') return formatDay(day)
  if (group === 'week') return `week of ${formatDay(mondayOf(day))}`
  return formatDay(day).slice(0, 7)
}
