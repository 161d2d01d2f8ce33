import { InvalidSettingError } from '../errors/invalid-setting-error.js'

/** The commands that take settings. */
export type CommandName = 'serve' | 'gateway' | 'export' | 'insights' | 'dump' | 'import'

/** A command's one argument that is not a flag: `tally insights QUESTION`, `tally import FILE`. */
export interface Positional {
  /** The option it resolves to: `question`. */
  name: string
  /** How the usage line writes it: `QUESTION`. */
  placeholder: string
  help: string
  /** The words it may be, when it is one of a few. */
  choices?: readonly string[]
  example: string
}

/** Where a value came from: a flag, an environment variable or a file a flag or variable named. */
export interface Source {
  /** `--port`, `TALLY_PORT`, `--token-file` or `TALLY_TOKEN_FILE`. */
  name: string
  kind: 'flag' | 'variable' | 'file'
}

/** One value given, with where it came from. */
export interface Given {
  value: string
  source: Source
}

/** The other way to give a setting's values: a file of one value a line. */
export interface SettingFile {
  /** Without the dashes: `token-file`. */
  flag: string
  env: string
  help: string
}

/** One row of the settings table: a flag, its variable, its default and how a value is read. */
export interface Setting<T> {
  /** Without the dashes: `port`. */
  flag: string
  env?: string
  /** What one value looks like in the help (`N`, `URL`, `ID=KEY`); none for a switch. */
  placeholder?: string
  /** The flag may be given more than once; the variable takes a comma-separated list. */
  repeatable?: boolean
  /** Each value of the flag is itself a comma-separated list, as the variable's is. */
  flagTakesList?: boolean
  file?: SettingFile
  help: string
  /** The default as the help shows it. */
  defaultText?: string
  /** An example value for messages and the help; `…` stands for a secret. */
  example: string
  /**
   * The option from the values given: the flag's (and its file's), else the variable's (and
   * its file's), else none. Throws InvalidSettingError for a malformed value.
   */
  parse(given: readonly Given[]): T
}

/** The option type a setting resolves to. */
export type SettingValue<S> = S extends Setting<infer T> ? T : never

/** `--port 3080` as written where the value came from: `TALLY_PORT=3080`, or a file's line. */
export function example(source: Source, value: string): string {
  if (source.kind === 'flag') return `${source.name} ${value}`
  if (source.kind === 'variable') return `${source.name}=${value}`
  return value
}

/**
 * The one-line refusal: the flag or variable, the expected form and an example. `shown` is
 * an example value; never pass what the user gave for a secret.
 */
export function refuse(
  source: Source,
  expected: string,
  shown: string,
  cause?: unknown,
): InvalidSettingError {
  const subject = source.kind === 'file' ? `each line of ${source.name}` : source.name
  return new InvalidSettingError(
    source.name,
    `${subject} must ${expected}, e.g. ${example(source, shown)}`,
    cause === undefined ? undefined : { cause },
  )
}
