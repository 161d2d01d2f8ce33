import { limits } from '../../protocol/event.js'
import type { Scrubber } from '../../protocol/scrub.js'
import { isPlainObject, validateEvent } from '../../protocol/validate.js'
import type { IngestedEvent } from '../stores/server-event-store.js'

/** A line past this is refused unread: an event is bounded well below it. */
export const maxLineLength = 1024 * 1024

/** Lines of the input, numbered from `firstLine` (1 for the first line of the input). */
export interface LinesChunk {
  lines: readonly string[]
  firstLine: number
  /** `receivedAt` of the lines without one: when the chunk was read. */
  readAt: Date
}

/** What a chunk's lines came to: the events to store, in line order, and the lines refused. */
export interface JudgedLines {
  rows: IngestedEvent[]
  refused: { line: number; reason: string }[]
}

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** An ISO 8601 time within the protocol's plausible years, or undefined. */
function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !isoPattern.test(value)) return undefined
  const date = new Date(value)
  const ms = date.getTime()
  return ms >= limits.minTimestampMs && ms < limits.maxTimestampMs ? date : undefined
}

type Verdict = { ok: true; row: IngestedEvent } | { ok: false; reason: string }

function readLine(line: string, scrub: Scrubber, readAt: Date): Verdict {
  if (line.length > maxLineLength)
    return { ok: false, reason: `longer than ${maxLineLength} characters` }
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { ok: false, reason: 'not JSON' }
  }
  if (!isPlainObject(value)) return { ok: false, reason: 'not a JSON object' }
  const { userId } = value
  if (typeof userId !== 'number' || !Number.isSafeInteger(userId) || userId < 1) {
    return { ok: false, reason: 'userId must be a positive whole number' }
  }
  const timestamp = parseTime(value.timestamp)
  if (timestamp === undefined) {
    return { ok: false, reason: 'timestamp must be an ISO 8601 time from 2000 to 2099' }
  }
  // Judged and scrubbed as ingest judges an event; unknown fields are left out of the copy.
  const verdict = validateEvent({ ...value, timestamp }, { scrub })
  if (!verdict.valid) {
    return {
      ok: false,
      reason: verdict.problems.map(p => `${p.path || 'event'} ${p.reason}`).join('; '),
    }
  }
  return {
    ok: true,
    row: {
      event: verdict.event,
      userId,
      // The timestamp is kept as given: a dump writes the corrected one beside it.
      correctedTimestamp: parseTime(value.correctedTimestamp) ?? timestamp,
      receivedAt: parseTime(value.receivedAt) ?? readAt,
    },
  }
}

/**
 * Judges a chunk of `tally import` lines as ingest judges events: each parsed, validated and
 * scrubbed, blank lines skipped. Pure, so that it runs on the importing thread or in the
 * import's worker alike (see import-worker.ts).
 */
export function judgeLines({ lines, firstLine, readAt }: LinesChunk, scrub: Scrubber): JudgedLines {
  const judged: JudgedLines = { rows: [], refused: [] }
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const verdict = readLine(line, scrub, readAt)
    if (verdict.ok) judged.rows.push(verdict.row)
    else judged.refused.push({ line: firstLine + index, reason: verdict.reason })
  })
  return judged
}
