import { StoreError } from '../errors/store-error.js'
import type { StoreKind } from './roles/store-lifecycle.js'

/** One numbered schema step. Steps are append-only: a released step is never edited. */
export interface Migration {
  version: number
  sql: string
}

/**
 * The steps a database at `current` still needs, in order. A database migrated by a newer
 * Tally is refused rather than written with a schema this code does not know.
 */
export function pendingMigrations(
  kind: StoreKind,
  steps: readonly Migration[],
  current: number,
): Migration[] {
  const latest = steps.at(-1)?.version ?? 0
  if (current > latest) {
    throw new StoreError(
      `the database schema is at version ${current}, newer than this Tally knows (${latest}); ` +
        'upgrade Tally before opening it',
      { kind, operation: 'migrate' },
    )
  }
  return steps.filter(step => step.version > current)
}
