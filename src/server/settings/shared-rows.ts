// Rows and row makers that several commands share: the listening address, the storage, what
// an export holds, durations and secrets.
import { parseAllowlist } from '../../protocol/export-redaction.js'
import {
  checkPair,
  checkSecret,
  choice,
  list,
  optionalText,
  text,
  wholeNumber,
  type Row,
} from './kinds.js'
import { refuse, type Given } from './setting.js'

export const maxTimerMs = 2 ** 31 - 1

export const port = (env: string, defaultValue: number) =>
  wholeNumber({
    flag: 'port',
    env,
    placeholder: 'N',
    help: 'the port to listen on; 0 picks a free one',
    defaultText: String(defaultValue),
    example: String(defaultValue),
    defaultValue,
    min: 0,
    max: 65_535,
    expected: 'a port number from 0 to 65535',
  })

export const host = (env: string) =>
  text({
    flag: 'host',
    env,
    placeholder: 'H',
    help: 'the address to listen on',
    defaultText: '127.0.0.1',
    example: '0.0.0.0',
    defaultValue: '127.0.0.1',
  })

export const dataDir = (env: string, defaultValue: string, help: string) =>
  text({
    flag: 'data',
    env,
    placeholder: 'DIR',
    help,
    defaultText: defaultValue,
    example: `/var/lib/${defaultValue.replace(/^\.\/\./, '')}`,
    defaultValue,
  })

/** PostgreSQL instead of SQLite: `--database-url`, with `env` as its variable. */
export const databaseUrl = (env: string) =>
  optionalText({
    flag: 'database-url',
    env,
    placeholder: 'URL',
    help: 'PostgreSQL instead of SQLite',
    example: 'postgres://tally@db.example.com:5432/telemetry',
    check: given => {
      if (!/^postgres(ql)?:\/\//.test(given.value))
        throw refuse(
          given.source,
          'be a postgres:// URL',
          'postgres://tally@db.example.com/telemetry',
        )
    },
  })

export const storage = {
  dataDir: dataDir('TALLY_DATA', './.tally', 'the SQLite folder (tally.db inside)'),
  databaseUrl: databaseUrl('TALLY_DATABASE_URL'),
}

const allowlistRow: Row = {
  flag: 'allowlist',
  env: 'TALLY_ALLOWLIST',
  placeholder: 'F::A::K,...',
  flagTakesList: true,
  help: 'privateMetadata keys that may leave in redact mode',
  example: 'search::submitted::patternType',
}

export const exportContent = {
  exportMode: choice({
    flag: 'export-mode',
    env: 'TALLY_EXPORT_MODE',
    placeholder: 'MODE',
    help: 'what leaves for the gateway: redact, full or off',
    defaultText: 'redact',
    example: 'redact',
    choices: ['redact', 'full', 'off'],
    defaultValue: 'redact',
  }),
  allowlist: list({
    ...allowlistRow,
    check: given => {
      try {
        parseAllowlist([given.value])
      } catch (error) {
        throw refuse(given.source, 'be feature::action::key entries', allowlistRow.example, error)
      }
    },
  }),
}

export const durationMs = (flag: string, env: string, help: string) =>
  wholeNumber({
    flag,
    env,
    placeholder: 'N',
    help,
    defaultText: '60000',
    example: '60000',
    defaultValue: 60_000,
    min: 1,
    max: maxTimerMs,
    expected: `a number of milliseconds from 1 to ${maxTimerMs}`,
  })

/** A number of whole days: retention, which reads better in days than in milliseconds. */
export const days = (flag: string, env: string, help: string, defaultValue: number) =>
  wholeNumber({
    flag,
    env,
    placeholder: 'DAYS',
    help,
    defaultText: String(defaultValue),
    example: String(defaultValue),
    defaultValue,
    min: 1,
    max: 3650,
    expected: 'a number of days from 1 to 3650',
  })

export const secret = (row: Row) =>
  optionalText({ ...row, check: (given: Given) => checkSecret(given.value, given, row) })

export const pairs = (row: Row & { form: string; bareName?: string }) => ({
  ...row,
  check: (given: Given) => checkPair(given, row),
})

export function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value
  } catch {
    return false
  }
}
