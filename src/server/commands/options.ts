import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ExportMode } from '../../protocol/config.js'
import { openPostgresStore } from '../stores/postgres-store.js'
import type { ServerEventStore } from '../stores/server-event-store.js'
import { openSqliteStore } from '../stores/sqlite-store.js'

export interface StorageOptions {
  /** The SQLite directory (`tally.db` inside), unless `databaseUrl` is set. */
  dataDir: string
  /** PostgreSQL, for instances with several replicas. */
  databaseUrl?: string | undefined
}

/** Opens and migrates the store the options name. */
export async function openStore({
  dataDir,
  databaseUrl,
}: StorageOptions): Promise<ServerEventStore> {
  let store: ServerEventStore
  if (databaseUrl !== undefined) {
    store = openPostgresStore({ connectionString: databaseUrl })
  } else {
    // Private: the database holds private metadata (the store makes its files 0600).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    store = openSqliteStore({ path: join(dataDir, 'tally.db') })
  }
  await store.migrate()
  return store
}

export function parseExportMode(value: string): ExportMode {
  if (value === 'redact' || value === 'full' || value === 'off') return value
  throw new Error(`the export mode must be redact, full or off, not ${value}`)
}

/** `NAME=SECRET` (or `ID=KEY`) pairs; a bare value gets `fallbackName`. */
export function parsePairs(
  entries: readonly string[],
  what: string,
  fallbackName?: string,
): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const entry of entries) {
    const at = entry.indexOf('=')
    if (at < 0 && fallbackName !== undefined) {
      pairs.set(fallbackName, entry)
      continue
    }
    const name = entry.slice(0, at)
    const value = entry.slice(at + 1)
    if (at <= 0 || value === '')
      throw new Error(`${what} must look like NAME=SECRET, not ${entry.replace(/=.*/, '=…')}`)
    pairs.set(name, value)
  }
  return pairs
}
