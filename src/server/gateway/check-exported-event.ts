import { limits } from '../../protocol/event.js'
import type { ExportedEvent } from '../../protocol/export-redaction.js'
import { utf8Length } from '../../protocol/utf8-length.js'
import { validateEvent, type ValidationProblem } from '../../protocol/validate.js'

export type ExportedEventCheck = { ok: true; event: ExportedEvent } | { ok: false; reason: string }

/**
 * Judges one event of an instance's batch: the event rules of `validateEvent` (names, ids,
 * numeric metadata, privateMetadata's shape and size), the fields the instance adds, and a
 * bound on the whole event's encoded size. Returns a clean copy holding only known fields.
 */
export function checkExportedEvent(
  raw: Record<string, unknown>,
  maxEventBytes: number,
): ExportedEventCheck {
  // JSON.stringify cannot throw here: the value came out of JSON.parse and superjson's dates.
  const bytes = utf8Length(JSON.stringify(raw))
  if (bytes > maxEventBytes) {
    return { ok: false, reason: `oversized: ${bytes} bytes encoded; the limit is ${maxEventBytes}` }
  }
  const validated = validateEvent(raw)
  const problems: ValidationProblem[] = validated.valid ? [] : [...validated.problems]
  const clientTimestamp = checkDate(raw.clientTimestamp, 'clientTimestamp', problems)
  const receivedAt = checkDate(raw.receivedAt, 'receivedAt', problems)
  const { userId } = raw
  if (typeof userId !== 'number' || !Number.isSafeInteger(userId) || userId < 0) {
    problems.push({ path: 'userId', reason: 'must be a whole number ≥ 0' })
  }
  if (!validated.valid || problems.length > 0) {
    const reason = problems.map(({ path, reason }) => `${path}: ${reason}`).join('; ')
    return { ok: false, reason: reason.slice(0, 500) }
  }
  const { event } = validated
  return {
    ok: true,
    event: {
      id: event.id,
      timestamp: event.timestamp,
      clientTimestamp: clientTimestamp as Date,
      feature: event.feature,
      action: event.action,
      source: event.source,
      sessionId: event.sessionId,
      parameters: event.parameters,
      userId: userId as number,
      receivedAt: receivedAt as Date,
    },
  }
}

function checkDate(value: unknown, path: string, problems: ValidationProblem[]): Date | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    problems.push({ path, reason: 'must be a valid Date' })
    return undefined
  }
  const ms = value.getTime()
  if (ms < limits.minTimestampMs || ms >= limits.maxTimestampMs) {
    problems.push({ path, reason: 'must fall between 2000 and 2100' })
    return undefined
  }
  return new Date(ms)
}
