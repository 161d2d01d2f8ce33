// The kinds of setting the table is made of: each turns the values given into one typed
// option, or refuses the first malformed one in one line.
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { example, refuse, type Given, type Setting } from './setting.js'

/** What every row states; `parse` comes from the kind. */
export type Row = Omit<Setting<unknown>, 'parse'>

/** Secrets shorter than this are refused at start: guessable, or a value pasted by mistake. */
export const minSecretLength = 16

/** The one value of a setting that takes one, refusing a second. */
function one(row: Row, given: readonly Given[]): Given | undefined {
  const [first, second] = given
  if (second !== undefined && first !== undefined) {
    const twice = first.source.name === second.source.name
    throw new InvalidSettingError(
      second.source.name,
      (twice
        ? `${second.source.name} is given twice but takes one value`
        : `${first.source.name} and ${second.source.name} are both given but the setting takes one value`) +
        `, e.g. ${example(first.source, row.example)}`,
    )
  }
  return first
}

/** A string, or `defaultValue` when none is given. */
export function text(row: Row & { defaultValue: string }): Setting<string> {
  return {
    ...row,
    parse: given => {
      const value = one(row, given)
      if (value?.value === '') throw refuse(value.source, 'not be empty', row.example)
      return value?.value ?? row.defaultValue
    },
  }
}

/** A string, or undefined when none is given; `check` refuses a malformed one. */
export function optionalText(
  row: Row & { check?: (given: Given) => void },
): Setting<string | undefined> {
  return {
    ...row,
    parse: given => {
      const value = one(row, given)
      if (value === undefined) return undefined
      if (value.value === '') throw refuse(value.source, 'not be empty', row.example)
      row.check?.(value)
      return value.value
    },
  }
}

/** A whole number in [min, max]. */
export function wholeNumber(
  row: Row & { defaultValue: number; min: number; max: number; expected?: string },
): Setting<number> {
  return {
    ...row,
    parse: given => {
      const value = one(row, given)
      if (value === undefined) return row.defaultValue
      const parsed = /^\d+$/.test(value.value) ? Number(value.value) : Number.NaN
      if (!Number.isSafeInteger(parsed) || parsed < row.min || parsed > row.max)
        throw refuse(
          value.source,
          `be ${row.expected ?? `a whole number from ${row.min} to ${row.max}`}`,
          row.example,
        )
      return parsed
    },
  }
}

/** One of a few words. */
export function choice<const T extends string>(
  row: Row & { choices: readonly T[]; defaultValue: T },
): Setting<T> {
  const expected = `be ${row.choices.slice(0, -1).join(', ')} or ${row.choices.at(-1) ?? ''}`
  return {
    ...row,
    parse: given => {
      const value = one(row, given)
      if (value === undefined) return row.defaultValue
      const word = row.choices.find(candidate => candidate === value.value)
      if (word === undefined) throw refuse(value.source, expected, row.example)
      return word
    },
  }
}

/** A flag without a value (saying it twice is harmless); its variable takes true/false or 1/0. */
export function toggle(row: Row): Setting<boolean> {
  return {
    ...row,
    parse: given => {
      const value = given.at(-1)
      if (value === undefined) return false
      if (value.value === 'true' || value.value === '1') return true
      if (value.value === 'false' || value.value === '0') return false
      throw refuse(value.source, 'be true or false', row.example)
    },
  }
}

/** Repeatable values, each checked by `check`. */
export function list(row: Row & { check?: (given: Given) => void }): Setting<readonly string[]> {
  return {
    ...row,
    repeatable: true,
    parse: given =>
      given.map(value => {
        if (value.value === '') throw refuse(value.source, 'not be empty', row.example)
        row.check?.(value)
        return value.value
      }),
  }
}

/** A secret of 16 or more characters without spaces; never shown in a message. */
export function checkSecret(value: string, given: Given, row: Row, what = 'be'): void {
  if (value.length < minSecretLength || /\s/.test(value))
    throw refuse(
      given.source,
      `${what} ${minSecretLength} or more characters without spaces`,
      row.example,
    )
}

/**
 * `NAME=SECRET` (or `ID=KEY`); with `bareName`, a bare secret stands for `bareName=SECRET`.
 * `form` is how the help writes it.
 */
export function checkPair(given: Given, row: Row & { form: string; bareName?: string }): void {
  const at = given.value.indexOf('=')
  if (at < 0 && row.bareName !== undefined) {
    checkSecret(given.value, given, row)
    return
  }
  if (at <= 0 || at === given.value.length - 1)
    throw refuse(given.source, `look like ${row.form}`, row.example)
  const secretName = row.form.slice(row.form.indexOf('=') + 1)
  checkSecret(
    given.value.slice(at + 1),
    given,
    row,
    `look like ${row.form} with a ${secretName} of`,
  )
}
