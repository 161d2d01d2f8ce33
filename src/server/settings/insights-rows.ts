// The flags of `tally insights`: the insights API's parameters under their command-line
// names. Each is read as text here and checked by the question's own parser (see
// commands/insights-questions.ts), so that the command and the API refuse the same values.
import { list, optionalText, toggle } from './kinds.js'

const day = (flag: string, help: string) =>
  optionalText({ flag, placeholder: 'YYYY-MM-DD', help, example: '2026-06-30' })

export const insightsRows = {
  at: day(
    'at',
    'the day the figures end at (active-users, power-users, at-risk, lifecycle, retention)',
  ),
  from: day('from', "the window's first day (events, sessions, features)"),
  to: day('to', "the window's last day (events, sessions, features)"),
  feature: optionalText({
    flag: 'feature',
    placeholder: 'NAME',
    help: 'only events of this feature (events)',
    example: 'search',
  }),
  action: optionalText({
    flag: 'action',
    placeholder: 'NAME',
    help: 'only events of this action (events)',
    example: 'submitted',
  }),
  user: optionalText({
    flag: 'user',
    placeholder: 'N',
    help: "only this user's events, the userId tally dump writes (events)",
    example: '42',
  }),
  where: list({
    flag: 'where',
    placeholder: 'KEY:VALUE',
    help: 'only events whose metadata KEY is VALUE, repeatable (events)',
    example: 'durationMs:250',
  }),
  minDays: optionalText({
    flag: 'min-days',
    placeholder: 'N',
    help: 'active days of 30 that make a power user, 1 to 30 (power-users)',
    defaultText: '10',
    example: '10',
  }),
  weeks: optionalText({
    flag: 'weeks',
    placeholder: 'N',
    help: 'weeks to show, 1 to 52 (lifecycle, retention)',
    defaultText: '12',
    example: '12',
  }),
  json: toggle({
    flag: 'json',
    help: "print the insights API's JSON answer instead of a table",
    example: 'true',
  }),
}
