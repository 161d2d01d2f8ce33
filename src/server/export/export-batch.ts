import type { TelemetryEvent } from '../../protocol/event.js'
import {
  redactForExport,
  type ExportedEvent,
  type Removal,
} from '../../protocol/export-redaction.js'
import { utf8Length } from '../../protocol/utf8-length.js'
import type { StoredRow } from '../stores/server-event-store.js'
import type { ResolvedExportOptions } from './export-options.js'

export interface ExportPreviewItem {
  /** The event as stored. */
  event: TelemetryEvent
  /** Exactly what leaves for the gateway. */
  exported: ExportedEvent
  /** What redaction took out (see `redactForExport`). */
  removed: Removal[]
}

/** superjson's Date annotations for one event's three dates, plus separators. */
const annotationBytes = 128
/** `{"json":{"events":[…],"sentAt":"…"},"meta":{"values":{…}}}` around the events. */
const envelopeBytes = 256

/**
 * Redacts rows in order until the request would pass `maxBatchBytes`; the rest waits for the
 * next run. The first row always goes, so an event larger than the bound still gets the
 * gateway's answer instead of blocking the queue.
 */
export function fitBatch(
  rows: readonly StoredRow[],
  config: Pick<ResolvedExportOptions, 'mode' | 'allowlist' | 'maxBatchBytes'>,
): { items: ExportPreviewItem[]; rest: StoredRow[] } {
  const items: ExportPreviewItem[] = []
  let bytes = envelopeBytes
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as StoredRow
    const redacted = redactForExport(row, config.mode, config.allowlist)
    if (!redacted) return { items: [], rest: [...rows] }
    bytes += utf8Length(JSON.stringify(redacted.exported)) + annotationBytes
    if (items.length > 0 && bytes > config.maxBatchBytes) {
      return { items, rest: rows.slice(index) }
    }
    items.push({ event: row.event, ...redacted })
  }
  return { items, rest: [] }
}
