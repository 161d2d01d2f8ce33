import type { CommandName, Setting } from './setting.js'
import { settings } from './table.js'

interface TableRow {
  flag: string
  env: string
  defaultText: string
  help: string
  commands: CommandName[]
}

const code = (text: string) => (text === '' ? '' : `\`${text}\``)

/**
 * The README's settings table: one row per flag, its variable, default and commands; a
 * setting that reads the same in several commands is one row.
 */
export function settingsMarkdown(): string {
  const rows: TableRow[] = []
  const add = (command: CommandName, row: Omit<TableRow, 'commands'>) => {
    const same = rows.find(
      other =>
        other.flag === row.flag &&
        other.env === row.env &&
        other.defaultText === row.defaultText &&
        other.help === row.help,
    )
    if (same) same.commands.push(command)
    else rows.push({ ...row, commands: [command] })
  }
  for (const [command, table] of Object.entries(settings) as [
    CommandName,
    Record<string, Setting<unknown>>,
  ][]) {
    for (const setting of Object.values(table)) {
      add(command, {
        flag: `--${setting.flag}${setting.placeholder ? ` ${setting.placeholder}` : ''}`,
        env: setting.env ?? '',
        defaultText: setting.defaultText ?? '',
        help: setting.help,
      })
      if (setting.file)
        add(command, {
          flag: `--${setting.file.flag} F`,
          env: setting.file.env,
          defaultText: '',
          help: setting.file.help,
        })
    }
  }
  const escape = (text: string) => text.replaceAll('|', '\\|')
  return [
    '| flag | variable | default | commands | what it sets |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      row =>
        `| ${code(row.flag)} | ${code(row.env)} | ${escape(row.defaultText)} | ${row.commands.join(', ')} | ${escape(row.help)} |`,
    ),
  ].join('\n')
}

export const readmeMarkers = {
  start: '<!-- settings:start -->',
  end: '<!-- settings:end -->',
} as const

/** `readme` with the block between the markers replaced by the table. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(readmeMarkers.start)
  const end = readme.indexOf(readmeMarkers.end)
  if (start < 0 || end < start) throw new Error('README.md has no settings markers')
  return (
    readme.slice(0, start + readmeMarkers.start.length) +
    `\n\n${settingsMarkdown()}\n\n` +
    readme.slice(end)
  )
}
