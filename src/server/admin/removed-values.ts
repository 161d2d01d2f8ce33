import type { JsonValue, TelemetryEvent } from '../../protocol/event.js'
import { unsafeSuffix } from '../../protocol/export-redaction.js'

/** One path that redaction took out of an event, with what the instance keeps there. */
export type RemovedValue = {
  path: string
  /**
   * - `kept`: the key is not allowlisted; its value stays on the instance.
   * - `unsafe`: the key left, with the unsafe parts of this string (or key) as ‹×›.
   */
  kind: 'kept' | 'unsafe'
} & ({ found: true; stored: JsonValue } | { found: false })

const base = 'parameters.privateMetadata.'

/** Steps spent following one path at most: keys holding dots make the walk a search. */
const maxSteps = 10_000

/**
 * Pairs each path of `redactForExport`'s `removed` list with the stored value it names, so that
 * an operator sees what stays home. A path that cannot be followed is reported as not found
 * rather than guessed.
 */
export function removedValues(event: TelemetryEvent, removed: readonly string[]): RemovedValue[] {
  const privateMetadata = event.parameters.privateMetadata
  return removed.map(path => {
    const unsafe = path.endsWith(unsafeSuffix)
    const kind = unsafe ? 'unsafe' : 'kept'
    const candidates = unsafe ? [path.slice(0, -unsafeSuffix.length), path] : [path]
    for (const candidate of candidates) {
      if (privateMetadata === undefined || !candidate.startsWith(base)) break
      const found = follow(privateMetadata, candidate.slice(base.length), { steps: 0 })
      if (found) return { path, kind, found: true, stored: found.value }
    }
    return { path, kind, found: false }
  })
}

/**
 * Follows a dotted path. Keys may hold dots themselves (`a.b` as one key), so every key that
 * the rest of the path starts with is tried, the exact match first.
 */
function follow(
  value: JsonValue,
  rest: string,
  budget: { steps: number },
): { value: JsonValue } | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  // Arrays too: their keys are '0', '1', … as in the paths redaction writes.
  const entries = value as Record<string, JsonValue>
  const keys = Object.keys(entries)
  if (keys.includes(rest)) {
    const exact = entries[rest]
    if (exact !== undefined) return { value: exact }
  }
  for (const key of keys) {
    if (++budget.steps > maxSteps) return undefined
    const child = entries[key]
    if (child === undefined || !rest.startsWith(`${key}.`)) continue
    const found = follow(child, rest.slice(key.length + 1), budget)
    if (found) return found
  }
  return undefined
}
