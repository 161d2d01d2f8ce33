import { describe, expect, it } from 'vitest'
import { resolve } from '../../../src/server/settings/resolve.js'
import type { Setting } from '../../../src/server/settings/setting.js'
import { settings } from '../../../src/server/settings/table.js'

const helpOf = (command: string | undefined, argv: string[] = []) => {
  const resolution = resolve(command, argv, {})
  if (resolution.kind !== 'help') throw new Error(`no help: ${JSON.stringify(resolution)}`)
  return resolution.text
}

const commands = Object.entries(settings) as [string, Record<string, Setting<unknown>>][]

describe('--help', () => {
  it.each(commands)(
    'tally %s --help lists its flags, variables and defaults alone',
    (command, table) => {
      const text = helpOf(command, ['--help'])
      // Long help lines wrap; the phrases are checked on the text unwrapped.
      const flat = text.replace(/\s+/g, ' ')
      expect(text).toContain(`Usage: tally ${command}`)
      for (const setting of Object.values(table)) {
        const line = text.split('\n').find(candidate => candidate.startsWith(`  --${setting.flag}`))
        expect(line, `--${setting.flag}`).toBeDefined()
        expect(flat).toContain(setting.help)
        if (setting.env !== undefined) expect(flat).toContain(setting.env)
        if (setting.defaultText !== undefined)
          expect(flat).toContain(`default ${setting.defaultText}`)
        if (setting.file) {
          expect(text).toContain(`  --${setting.file.flag} F`)
          expect(flat).toContain(`${setting.file.help} (${setting.file.env})`)
        }
      }
      // Another command's own flags are not offered.
      const others = commands
        .filter(([name]) => name !== command)
        .flatMap(([, other]) => Object.values(other).map(setting => setting.flag))
        .filter(flag => !Object.values(table).some(setting => setting.flag === flag))
      for (const flag of others) expect(text).not.toMatch(new RegExp(`^  --${flag}\\b`, 'm'))
    },
  )

  it('tally --help lists every command and every flag', () => {
    const text = helpOf(undefined)
    for (const [command, table] of commands) {
      expect(text).toContain(`tally ${command}:`)
      for (const setting of Object.values(table)) expect(text).toContain(`--${setting.flag}`)
    }
  })

  it('keeps every help line within 100 characters', () => {
    for (const text of [helpOf(undefined), ...commands.map(([command]) => helpOf(command, ['-h']))])
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100)
  })

  it('recommends variables or files over flags for secrets', () => {
    expect(helpOf('serve', ['--help'])).toContain('flags show in the process list')
  })
})
