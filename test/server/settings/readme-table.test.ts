import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { expectedReadme, readmePath } from '../../../scripts/docs-settings.js'
import { settingsMarkdown } from '../../../src/server/settings/markdown-table.js'
import { settings } from '../../../src/server/settings/table.js'

describe("README's settings table", () => {
  it('is the table the settings make (npm run docs:settings regenerates it)', async () => {
    const readme = readFileSync(readmePath, 'utf8')
    expect(readme).toContain('<!-- settings:start -->')
    expect(readme, 'README.md differs: run npm run docs:settings').toBe(
      await expectedReadme(readme),
    )
  })

  it('has a row for every flag and every variable', () => {
    const table = settingsMarkdown()
    for (const command of Object.values(settings))
      for (const setting of Object.values(command)) {
        expect(table).toContain(`\`--${setting.flag}`)
        if (setting.env !== undefined) expect(table).toContain(`\`${setting.env}\``)
        if (setting.file) expect(table).toContain(`\`${setting.file.env}\``)
      }
  })

  it('fails when the README drifts from the table', async () => {
    const readme = readFileSync(readmePath, 'utf8').replace(
      '`TALLY_GATEWAY_HOST`',
      '`TALLY_GW_HOST`',
    )
    expect(await expectedReadme(readme)).not.toBe(readme)
  })
})
