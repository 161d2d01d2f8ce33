import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { insightsRequest } from '../commands/insights-questions.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { dayOf } from '../insights/days.js'
import { commandHelp, usage } from './help.js'
import {
  refuse,
  type CommandName,
  type Given,
  type Positional,
  type Setting,
  type Source,
} from './setting.js'
import { positionals, settings, type Settings } from './table.js'

/** What `tally <command> …` asks for: a help text, a command with its options, or a refusal. */
export type Resolution =
  | { kind: 'help'; text: string }
  | { [C in CommandName]: { kind: 'run'; command: C; options: Settings<C> } }[CommandName]
  | {
      kind: 'refused'
      /** One line, `tally serve: …`, never holding a secret. */
      message: string
      /** The flag or variable refused, when one is to blame. */
      setting?: string
    }

/** Where `resolve` reads the files that `--token-file` and its kin name. */
export interface SettingFiles {
  readFile(path: string): string
}

const filesOnDisk: SettingFiles = { readFile: path => readFileSync(path, 'utf8') }

type Environment = Readonly<Record<string, string | undefined>>
type FlagValues = Record<string, (string | boolean)[] | undefined>
interface ParsedArgs {
  values: FlagValues
  positionals: string[]
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(settings, name)

/**
 * The options of `command` from its flags (`argv`, the words after the command) and the
 * environment: a flag wins over its variable. Each command reads only its own settings, so
 * a malformed variable of another command never stops it. Reads nothing but the files
 * named by the `*-file` settings. `now` is the day insights' dates default to.
 */
export function resolve(
  command: string | undefined,
  argv: readonly string[],
  env: Environment,
  files: SettingFiles = filesOnDisk,
  now: Date = new Date(),
): Resolution {
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { kind: 'help', text: usage() }
  if (!isCommand(command))
    return {
      kind: 'refused',
      message: `tally: unknown command ${command.startsWith('-') ? command : JSON.stringify(command)} (tally --help lists them)`,
    }
  const table: Record<string, Setting<unknown>> = settings[command]
  const positional = positionals[command]
  let parsed: ParsedArgs
  try {
    parsed = parseFlags(table, argv, positional)
  } catch (error) {
    return { kind: 'refused', message: `tally ${command}: ${flagError(command, table, error)}` }
  }
  const { values } = parsed
  if (values.help !== undefined) return { kind: 'help', text: commandHelp(command) }
  try {
    const options: Record<string, unknown> = {}
    if (positional) options[positional.name] = positionalValue(command, positional, parsed)
    for (const [name, setting] of Object.entries(table))
      options[name] = setting.parse(gather(setting, values, env, files))
    if (command === 'export' && options.preview !== true)
      return {
        kind: 'refused',
        message:
          'tally export: --preview is required (the worker in `tally serve` does the exporting)',
      }
    // Checked here too, so that a bad date is refused before any store is opened.
    if (command === 'insights') {
      const insights = options as unknown as Settings<'insights'>
      insightsRequest(insights.question, insights, dayOf(now))
    }
    // The table's rows are typed one by one; the loop above assembled exactly its keys.
    return { kind: 'run', command, options } as Resolution
  } catch (error) {
    if (error instanceof InvalidSettingError)
      return {
        kind: 'refused',
        message: `tally ${command}: ${error.message}`,
        setting: error.setting,
      }
    throw error
  }
}

function parseFlags(
  table: Record<string, Setting<unknown>>,
  argv: readonly string[],
  positional: Positional | undefined,
): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; multiple: true; short?: string }> = {
    help: { type: 'boolean', multiple: true, short: 'h' },
  }
  for (const setting of Object.values(table)) {
    // Every flag is parsed as repeatable so that a second value of a one-value flag is
    // refused by name instead of silently winning.
    options[setting.flag] = {
      type: setting.placeholder === undefined ? 'boolean' : 'string',
      multiple: true,
    }
    if (setting.file) options[setting.file.flag] = { type: 'string', multiple: true }
  }
  return parseArgs({
    args: [...argv],
    options,
    strict: true,
    allowPositionals: positional !== undefined,
  })
}

/** The one positional argument: required, alone, and one of its choices when it has some. */
function positionalValue(
  command: CommandName,
  positional: Positional,
  { positionals: given }: ParsedArgs,
): string {
  const [value, extra] = given
  const choices = positional.choices && ` (${positional.choices.join(', ')})`
  if (value === undefined)
    throw new InvalidSettingError(
      positional.placeholder,
      `${positional.placeholder} is required${choices ?? ''}, e.g. tally ${command} ${positional.example}`,
    )
  if (extra !== undefined)
    throw new InvalidSettingError(
      positional.placeholder,
      `unexpected argument ${JSON.stringify(extra)}: tally ${command} takes one ${positional.placeholder}`,
    )
  if (positional.choices && !positional.choices.includes(value))
    throw new InvalidSettingError(
      positional.placeholder,
      `unknown ${positional.name} ${JSON.stringify(value)}; the ${positional.name}s are ${positional.choices.join(', ')}`,
    )
  return value
}

/** parseArgs' errors as one line of ours. */
function flagError(
  command: CommandName,
  table: Record<string, Setting<unknown>>,
  error: unknown,
): string {
  const { code, message } = error as { code?: string; message?: string }
  const quoted = /'([^' ]+)/.exec(message ?? '')?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `unknown flag ${quoted} (tally ${command} --help lists its flags)`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument ${JSON.stringify(quoted)} (tally ${command} --help lists its flags)`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const setting = Object.values(table).find(row => `--${row.flag}` === quoted)
    if (message?.includes('does not take an argument'))
      return `${quoted} takes no value, e.g. ${quoted}`
    // Not a setting's own flag: one of the `*-file` flags.
    const example = setting?.example ?? '/run/secrets/tally'
    return `${quoted} needs a value, e.g. ${quoted} ${example}`
  }
  throw error
}

/** The values given for one setting: its flag's and flag file's, else its variable's. */
function gather(
  setting: Setting<unknown>,
  values: FlagValues,
  env: Environment,
  files: SettingFiles,
): Given[] {
  const splits = setting.repeatable === true || setting.flagTakesList === true
  const flag: Source = { name: `--${setting.flag}`, kind: 'flag' }
  const fromFlags = (values[setting.flag] ?? []).flatMap(value =>
    typeof value === 'boolean'
      ? [{ value: 'true', source: flag }]
      : (setting.flagTakesList ? commaList(value) : [value]).map(part => ({
          value: part,
          source: flag,
        })),
  )
  if (setting.file) {
    const fileFlag: Source = { name: `--${setting.file.flag}`, kind: 'flag' }
    for (const path of values[setting.file.flag] ?? [])
      fromFlags.push(...fileLines(setting, String(path), fileFlag, files))
  }
  if (fromFlags.length > 0) return fromFlags

  const fromVariables: Given[] = []
  const raw = setting.env === undefined ? undefined : env[setting.env]
  // An empty variable counts as unset, as compose files and CI systems often leave them.
  if (setting.env !== undefined && raw !== undefined && raw !== '') {
    const source: Source = { name: setting.env, kind: 'variable' }
    for (const value of splits ? commaList(raw) : [raw]) fromVariables.push({ value, source })
  }
  const filePath = setting.file ? env[setting.file.env] : undefined
  if (setting.file && filePath !== undefined && filePath !== '') {
    const source: Source = { name: setting.file.env, kind: 'variable' }
    fromVariables.push(...fileLines(setting, filePath, source, files))
  }
  return fromVariables
}

const commaList = (value: string) =>
  value
    .split(',')
    .map(entry => entry.trim())
    .filter(entry => entry !== '')

/** A secret file's values: one a line, blank lines and `#` comments skipped. */
function fileLines(
  setting: Setting<unknown>,
  path: string,
  named: Source,
  files: SettingFiles,
): Given[] {
  let content: string
  try {
    content = files.readFile(path)
  } catch (error) {
    throw refuse(named, 'name a readable file', '/run/secrets/tally', error)
  }
  const source: Source = { name: named.name, kind: 'file' }
  const lines = content
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
  if (setting.repeatable !== true && lines.length !== 1)
    throw refuse(
      named,
      `name a file of one ${setting.placeholder ?? 'value'} line`,
      '/run/secrets/tally',
    )
  return lines.map(value => ({ value, source }))
}
