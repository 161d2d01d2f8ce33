import type { CommandName, Setting } from './setting.js'
import { commandSummaries, positionals, settings } from './table.js'

const width = 28
const maxLineLength = 100

/** `help` after the flag column, wrapped under itself at 100 characters. */
function helpLine(flag: string, help: string): string[] {
  const lines: string[] = []
  let line = `  ${flag.padEnd(width - 1)}`
  for (const word of help.split(' ')) {
    if (line.length + 1 + word.length > maxLineLength && line.trim() !== flag) {
      lines.push(line)
      line = ' '.repeat(width + 2) + word
    } else line += ` ${word}`
  }
  lines.push(line)
  return lines
}

/** One line per flag (and per file flag): the flag, what it does, its variable and default. */
function settingLines(table: Record<string, Setting<unknown>>): string[] {
  const lines: string[] = []
  const line = helpLine
  for (const setting of Object.values(table)) {
    const notes = [setting.env, setting.defaultText && `default ${setting.defaultText}`].filter(
      Boolean,
    )
    lines.push(
      ...line(
        `--${setting.flag}${setting.placeholder ? ` ${setting.placeholder}` : ''}`,
        setting.help + (notes.length > 0 ? ` (${notes.join(', ')})` : ''),
      ),
    )
    if (setting.file)
      lines.push(...line(`--${setting.file.flag} F`, `${setting.file.help} (${setting.file.env})`))
  }
  lines.push(...line('-h, --help', 'this help'))
  return lines
}

const commandNames = Object.keys(settings) as CommandName[]

/** The positional argument's line: what it is and, for a few words, which. */
function positionalLines(command: CommandName): string[] {
  const positional = positionals[command]
  if (!positional) return []
  const choices = positional.choices ? `: ${positional.choices.join(', ')}` : ''
  return [...helpLine(positional.placeholder, positional.help + choices), '']
}

/** `tally <command> --help`. */
export function commandHelp(command: CommandName): string {
  const positional = positionals[command]
  const words = [command === 'export' ? 'export --preview' : command]
  if (positional) words.push(positional.placeholder)
  return [
    `Usage: tally ${words.join(' ')} [options]`,
    '',
    commandSummaries[command],
    '',
    ...positionalLines(command),
    ...settingLines(settings[command]),
    '',
    'A flag wins over its variable. Prefer the variables or the *-file flags for secrets:',
    'flags show in the process list.',
    '',
  ].join('\n')
}

/** `tally --help`: every command and its settings. */
export function usage(): string {
  return [
    'Usage: tally <command> [options]',
    '',
    'Commands:',
    ...commandNames.flatMap(name => helpLine(name, commandSummaries[name])),
    '',
    ...commandNames.flatMap(name => [`tally ${name}:`, ...settingLines(settings[name]), '']),
    'A flag wins over its variable. Prefer the variables or the *-file flags for secrets:',
    'flags show in the process list.',
    '',
  ].join('\n')
}
