// `npm run docs:settings`: regenerates README.md's settings table from the settings table in
// src/server/settings/, formatted as `prettier --check` expects.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { withSettingsTable } from '../src/server/settings/markdown-table.js'

export const readmePath = fileURLToPath(new URL('../README.md', import.meta.url))

/** README.md as it should read, with the settings table the settings make. */
export async function expectedReadme(readme: string): Promise<string> {
  const config = await resolveConfig(readmePath)
  return format(withSettingsTable(readme), { ...config, filepath: readmePath })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = readFileSync(readmePath, 'utf8')
  writeFileSync(readmePath, await expectedReadme(readme))
}
