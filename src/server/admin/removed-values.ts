import type { JsonValue, TelemetryEvent } from '../../protocol/event.js'
import type { Removal, RemovalKind } from '../../protocol/export-redaction.js'

/** One thing redaction took out of an event, with what the instance keeps there. */
export type RemovedValue = Removal & ({ found: true; stored: JsonValue } | { found: false })

/** How the page names each kind of removal, beside its path. */
export const removalLabels: Readonly<Record<RemovalKind, string>> = {
  'not-allowlisted': 'stays home',
  'key-collision': 'stays home: its key redacts like another',
  'unsafe-string': 'unsafe parts sent as ‹×›',
  'unsafe-key': 'key sent with its unsafe parts as ‹×›',
}

/**
 * Pairs each removal of `redactForExport` with the stored value at its path, so that an
 * operator sees what stays home. A path that cannot be followed is reported as not found
 * rather than guessed.
 */
export function removedValues(event: TelemetryEvent, removed: readonly Removal[]): RemovedValue[] {
  return removed.map(removal => {
    const found = follow(event, removal.path)
    return found ? { ...removal, found: true, stored: found.value } : { ...removal, found: false }
  })
}

/**
 * A path for people: `parameters.privateMetadata.query`, with a key that is not a plain name
 * quoted in brackets (`["a.b"]`), so that a key holding a dot reads as one key.
 */
export function formatPath(path: readonly string[]): string {
  return path
    .map((key, index) =>
      /^[A-Za-z_$][\w$-]*$|^\d+$/.test(key)
        ? `${index === 0 ? '' : '.'}${key}`
        : `[${JSON.stringify(key)}]`,
    )
    .join('')
}

function follow(root: unknown, path: readonly string[]): { value: JsonValue } | undefined {
  let value = root
  for (const key of path) {
    // Own keys only: a path naming `constructor` or `__proto__` finds nothing it was not given.
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value === undefined ? undefined : { value: value as JsonValue }
}
