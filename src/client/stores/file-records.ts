import { validateEvent } from '../../protocol/validate.js'
import type { StoredEvent } from './event-store.js'

/**
 * One line of a segment file: `<fnv1a32 of the JSON, 8 hex digits> <JSON>\n`. JSON escapes
 * every newline, so a line is a record; a record cut short by a crash lacks its newline or
 * fails its hash, and is skipped instead of read.
 */
export type FileRecord =
  /** Events of one append, with the time of the append (which orders the queue). */
  | { type: 'events'; t: number; events: StoredEvent[] }
  /** Ids removed from the queue (acknowledged, dropped or cleared), wherever they are stored. */
  | { type: 'removed'; ids: string[] }
  /** The writer closed the file: nothing more will be appended to it. */
  | { type: 'sealed' }

const newline = 0x0a

/** FNV-1a over UTF-16 code units: enough to catch a torn or garbled record, and cheap. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

function frame(json: string): string {
  return `${fnv1a(json).toString(16).padStart(8, '0')} ${json}\n`
}

export function encodeEvents(t: number, events: readonly StoredEvent[]): string {
  const rows = events.map(({ event, bytes }) => [
    { ...event, timestamp: event.timestamp.getTime() },
    bytes,
  ])
  return frame(JSON.stringify({ t, e: rows }))
}

export function encodeRemoved(ids: readonly string[]): string {
  return frame(JSON.stringify({ r: ids }))
}

export function encodeSealed(): string {
  return frame('{"s":1}')
}

/** A stored event read back: files are input like any other, so each is checked again. */
function readEvent(row: unknown): StoredEvent | undefined {
  if (!Array.isArray(row)) return undefined
  const [raw, bytes] = row as [unknown, unknown]
  if (typeof bytes !== 'number' || typeof raw !== 'object' || raw === null) return undefined
  const { timestamp } = raw as { timestamp?: unknown }
  if (typeof timestamp !== 'number') return undefined
  const result = validateEvent({ ...raw, timestamp: new Date(timestamp) })
  return result.valid ? { event: result.event, bytes } : undefined
}

function readRecord(json: string): FileRecord | undefined {
  const value = JSON.parse(json) as { t?: unknown; e?: unknown; r?: unknown; s?: unknown }
  if (typeof value.t === 'number' && Array.isArray(value.e)) {
    const events: StoredEvent[] = []
    for (const row of value.e) {
      const entry = readEvent(row)
      if (entry) events.push(entry)
    }
    return { type: 'events', t: value.t, events }
  }
  if (Array.isArray(value.r)) {
    return { type: 'removed', ids: value.r.filter((id): id is string => typeof id === 'string') }
  }
  if (value.s === 1) return { type: 'sealed' }
  return undefined
}

export interface DecodedRecords {
  records: FileRecord[]
  /** Bytes of whole lines read; a trailing partial line is left for a later read. */
  consumed: number
  /** Whole lines that failed their hash or did not parse. */
  corrupt: number
}

/** Decodes the complete lines of `buffer`; never throws. */
export function decodeRecords(buffer: Buffer): DecodedRecords {
  const records: FileRecord[] = []
  let corrupt = 0
  let start = 0
  for (let end = buffer.indexOf(newline); end !== -1; end = buffer.indexOf(newline, start)) {
    const line = buffer.toString('utf8', start, end)
    start = end + 1
    const space = line.indexOf(' ')
    const json = line.slice(space + 1)
    const record =
      space === 8 && Number.parseInt(line.slice(0, 8), 16) === fnv1a(json)
        ? parseSafely(json)
        : undefined
    if (record) records.push(record)
    else corrupt++
  }
  return { records, consumed: start, corrupt }
}

function parseSafely(json: string): FileRecord | undefined {
  try {
    return readRecord(json)
  } catch {
    return undefined
  }
}
