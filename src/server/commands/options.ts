import { join } from 'node:path'
import type { ExportMode } from '../../protocol/config.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { openPostgresStore } from '../stores/postgres-store.js'
import type { ServerEventStore } from '../stores/server-event-store.js'
import { openSqliteStore } from '../stores/sqlite-store.js'

export interface StorageOptions {
  /** The SQLite directory (`tally.db` inside), unless `databaseUrl` is set. */
  dataDir: string
  /** PostgreSQL, for instances with several replicas. */
  databaseUrl?: string | undefined
  /** SQLite's page cache in MiB (`tally import` asks for more). @default 64 */
  sqliteCacheMiB?: number
}

/** Opens and migrates the store the options name. */
export async function openStore({
  dataDir,
  databaseUrl,
  sqliteCacheMiB,
}: StorageOptions): Promise<ServerEventStore> {
  let store: ServerEventStore
  if (databaseUrl !== undefined) {
    store = openPostgresStore({ connectionString: databaseUrl })
  } else {
    // The store makes the folder (0700, its files 0600: they hold private metadata) once its
    // driver is there: a missing driver creates nothing.
    store = openSqliteStore({ path: join(dataDir, 'tally.db'), cacheMiB: sqliteCacheMiB })
  }
  try {
    await store.migrate()
  } catch (error) {
    // A store that cannot be migrated is of no use: its connection (a pool, a file) goes too.
    await store.close().catch(() => undefined)
    throw error
  }
  return store
}

export function parseExportMode(value: string): ExportMode {
  if (value === 'redact' || value === 'full' || value === 'off') return value
  throw new InvalidSettingError(
    '--export-mode',
    '--export-mode must be redact, full or off, e.g. --export-mode redact',
  )
}

/**
 * `NAME=SECRET` (or `ID=KEY`) pairs; a bare value gets `fallbackName`. `what` is the flag
 * they came from, named in the refusal (which never shows a secret).
 */
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
      throw new InvalidSettingError(what, `${what} must look like NAME=VALUE, e.g. ${what} acme=…`)
    pairs.set(name, value)
  }
  return pairs
}
