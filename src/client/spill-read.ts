import type { TelemetryEvent } from '../protocol/event.js'

/**
 * The events in spills as `Spill.take` gives them back (platform.ts), oldest first, for the
 * queue to judge: storage is input like any other. It comes with the judge's chunk, since a
 * spill is read back only to be judged. A spill that does not parse is skipped alone.
 */
export function readSpilled(texts: readonly string[]): TelemetryEvent[] {
  const events: TelemetryEvent[] = []
  for (const text of texts) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      continue
    }
    // Plain JSON; spills of older versions were superjson's `{ json }`, whose dates are ISO
    // strings as well.
    const list = Array.isArray(parsed) ? parsed : (parsed as { json?: unknown } | null)?.json
    for (const raw of Array.isArray(list) ? (list as unknown[]) : []) {
      const event = raw as { timestamp?: unknown } | null
      if (typeof event?.timestamp !== 'string') continue
      event.timestamp = new Date(event.timestamp)
      events.push(event as TelemetryEvent)
    }
  }
  return events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())
}
