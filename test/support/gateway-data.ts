import {
  emptyAllowlist,
  redactForExport,
  type ExportedEvent,
} from '../../src/protocol/export-redaction.js'
import { pingId, type Ping } from '../../src/protocol/ping.js'
import { ingested } from './server-events.js'

/** An event as an instance exports it (full mode, so privateMetadata travels as stored). */
export function exportedEvent(options: Parameters<typeof ingested>[0] = {}): ExportedEvent {
  const result = redactForExport(ingested(options), 'full', emptyAllowlist)
  if (!result) throw new Error('full mode exports')
  return result.exported
}

/** A valid ping of `instance` for `day`; the figures can be chosen. */
export function samplePing(instance: string, day: string, overrides: Partial<Ping> = {}): Ping {
  return {
    id: pingId(instance, day),
    instance,
    day,
    version: '1.4.0',
    store: 'sqlite',
    dau: 3,
    wau: 5,
    mau: 8,
    stickiness: 0.25,
    features: [
      {
        feature: 'search',
        action: 'submitted',
        day: { events: 12, users: 3 },
        month: { events: 200, users: 8 },
      },
    ],
    featureTotals: [
      { feature: 'search', day: { events: 12, users: 3 }, month: { events: 200, users: 8 } },
    ],
    ...overrides,
  }
}
