import { InvalidParameterError } from '../errors/invalid-parameter-error.js'
import { dayMs } from '../stores/rows.js'

/*
 * Every question's parameters, parsed and checked in one place, so that the API and the CLI
 * accept exactly the same values. Days are UTC days since the epoch (see days.ts).
 */

/** A question's parameters as text: an HTTP query, or the CLI's flags. */
export interface ParameterSource {
  /** The value given for `name`, if any (the first, when repeated). */
  get(name: string): string | undefined
  /** Every value given for `name`, for the repeatable `where`. */
  all(name: string): string[]
}

/** A numeric metadata filter: `metadata[key] === value`. */
export interface MetadataFilter {
  key: string
  value: number
}

export interface AtParameters {
  /** The day the figures end at. @default today (UTC) */
  at: number
}

export interface WindowParameters {
  /** First day, inclusive. @default 29 days before `to` */
  from: number
  /** Last day, inclusive. @default today (UTC) */
  to: number
}

export interface PowerUsersParameters extends AtParameters {
  /** Active days of the 30 that make a power user, 1 … 30. @default 10 */
  minDays: number
}

export interface WeeksParameters extends AtParameters {
  /** Weeks to show, 1 … 52; week k ends at `at` − 7k. @default 12 */
  weeks: number
}

export interface EventsParameters extends WindowParameters {
  feature?: string | undefined
  action?: string | undefined
  /** The numeric user id (what `tally dump` writes as `userId`). */
  userId?: number | undefined
  where: MetadataFilter[]
}

/** The longest window a question takes: the days the rollups keep. */
export const maxWindowDays = 400
export const maxWeeks = 52
export const maxWhere = 8

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
const namePattern = /^[a-z][a-zA-Z0-9.-]{0,63}$/
// The metadata keys events may carry (see protocol/validate.ts).
const metadataKeyPattern = /^[a-zA-Z][a-zA-Z0-9._-]{0,63}$/
const minDay = Date.UTC(2000, 0, 1) / dayMs
const maxDay = Date.UTC(2100, 0, 1) / dayMs - 1

function parseDay(source: ParameterSource, name: string, fallback: number): number {
  const text = source.get(name)
  if (text === undefined || text === '') return fallback
  const match = datePattern.exec(text)
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN
  // Date.UTC rolls 2026-02-30 over to March: a date that does not round-trip is not one.
  const day = ms / dayMs
  if (!match || new Date(ms).toISOString().slice(0, 10) !== text || day < minDay || day > maxDay) {
    throw new InvalidParameterError(name, `${name} must be a date YYYY-MM-DD from 2000 to 2099`)
  }
  return day
}

function parseWhole(
  source: ParameterSource,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = source.get(name)
  if (text === undefined || text === '') return fallback
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN
  if (!(value >= min && value <= max)) {
    throw new InvalidParameterError(name, `${name} must be a whole number from ${min} to ${max}`)
  }
  return value
}

function parseName(source: ParameterSource, name: string): string | undefined {
  const text = source.get(name)
  if (text === undefined || text === '') return undefined
  if (!namePattern.test(text)) {
    throw new InvalidParameterError(name, `${name} must be a name such as search or blob.codeintel`)
  }
  return text
}

function parseWhere(text: string): MetadataFilter {
  const colon = text.lastIndexOf(':')
  const key = text.slice(0, colon)
  const valueText = text.slice(colon + 1)
  const value = valueText.trim() === '' ? NaN : Number(valueText)
  if (colon < 0 || !metadataKeyPattern.test(key) || !Number.isFinite(value)) {
    throw new InvalidParameterError(
      'where',
      'where must be KEY:VALUE, a metadata key and a finite number (durationMs:250)',
    )
  }
  return { key, value }
}

export function parseAt(source: ParameterSource, today: number): AtParameters {
  return { at: parseDay(source, 'at', today) }
}

export function parseWindow(source: ParameterSource, today: number): WindowParameters {
  const to = parseDay(source, 'to', today)
  const from = parseDay(source, 'from', to - 29)
  if (from > to) throw new InvalidParameterError('from', 'from must be on or before to')
  if (to - from + 1 > maxWindowDays) {
    throw new InvalidParameterError('from', `from … to must span at most ${maxWindowDays} days`)
  }
  return { from, to }
}

export function parsePowerUsers(source: ParameterSource, today: number): PowerUsersParameters {
  return { ...parseAt(source, today), minDays: parseWhole(source, 'minDays', 10, 1, 30) }
}

export function parseWeeks(source: ParameterSource, today: number): WeeksParameters {
  return { ...parseAt(source, today), weeks: parseWhole(source, 'weeks', 12, 1, maxWeeks) }
}

export function parseEvents(source: ParameterSource, today: number): EventsParameters {
  const whereTexts = source.all('where')
  if (whereTexts.length > maxWhere) {
    throw new InvalidParameterError('where', `where may be given at most ${maxWhere} times`)
  }
  const user = source.get('user')
  return {
    ...parseWindow(source, today),
    feature: parseName(source, 'feature'),
    action: parseName(source, 'action'),
    userId:
      user === undefined || user === '' ? undefined : parseWhole(source, 'user', 0, 1, 999_999_999),
    where: whereTexts.map(parseWhere),
  }
}
