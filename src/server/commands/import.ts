import { open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { maxReasonLength } from '../../protocol/answers.js'
import { limits } from '../../protocol/event.js'
import { defaultScrubRules, type ScrubRule } from '../../protocol/scrub-rules.js'
import { createScrubber, type Scrubber } from '../../protocol/scrub.js'
import { isPlainObject } from '../../protocol/plain-data.js'
import { validateEvent } from '../../protocol/validate.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import { checkPositive } from '../stores/rows.js'
import type { IngestedEvent, ServerEventStore } from '../stores/server-event-store.js'
import { openStore, type StorageOptions } from './options.js'

export interface ImportSettings {
  /** Rules added to the default scrub rules, as `tally serve --scrub-rule` adds them. */
  scrubRules?: readonly ScrubRule[]
  /**
   * Lines stored per transaction: each commit writes the pages the batch touched, and the
   * rollups count a batch's events per key before writing, so fewer, larger batches write
   * less per event. Only one batch is held in memory.
   * @default importBatchEvents[store.kind]
   */
  maxBatchEvents?: number
  /** Refusal reasons kept for the summary; the rest are only counted. @default 10 */
  maxReasons?: number
  /** `receivedAt` for lines without one. @default () => new Date() */
  now?: () => Date
  /** Told the running counts after each batch is stored (`tally import`'s progress line). */
  onBatch?: (summary: Readonly<ImportSummary>) => void
}

export interface ImportOptions extends StorageOptions, ImportSettings {}

export interface ImportSummary {
  /** Lines stored as new events. */
  stored: number
  /** Valid lines whose id was stored already (before, or earlier in the same input). */
  present: number
  /** Lines refused, each with a reason. */
  refused: number
  /** The first refusals: `line 3: timestamp must be a Date`. */
  reasons: string[]
}

/**
 * Lines stored per transaction unless the settings say otherwise. SQLite: a dump's ids are
 * random, so each line writes a page of the id index, and a batch of 50,000 writes many of
 * those pages once rather than five times (with the page cache to hold them, importCacheMiB):
 * 29,154 events/s against 24,067 for batches of 10,000 (1,000,000 lines into 9,000,000). On
 * PostgreSQL batches of 50,000 measured slower, 11,655–12,011 lines/s against 13,904–14,716.
 */
export const importBatchEvents: Readonly<Record<ServerEventStore['kind'], number>> = {
  sqlite: 50_000,
  postgres: 10_000,
  memory: 10_000,
}

/** SQLite's page cache for `tally import`, in MiB: the pages a batch of 50,000 lines dirties. */
export const importCacheMiB = 256

/** A line past this is refused unread: an event is bounded well below it. */
const maxLineLength = 1024 * 1024

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/** What `parseTime` accepts, as a refusal states it. */
const timeRule = 'an ISO 8601 time from 2000 to 2099'

/** An ISO 8601 time within the protocol's plausible years, or undefined. */
function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !isoPattern.test(value)) return undefined
  const date = new Date(value)
  const ms = date.getTime()
  return ms >= limits.minTimestampMs && ms < limits.maxTimestampMs ? date : undefined
}

/** `parseTime(value)`, or `date` when value is the text `date` was parsed from. */
const sameTime = (value: unknown, text: unknown, date: Date): Date | undefined =>
  value === text ? date : parseTime(value)

type Verdict = { ok: true; row: IngestedEvent } | { ok: false; reason: string }

type ExportState = Pick<IngestedEvent, 'exportedAt' | 'exportRejection'>

/**
 * The export state a dump line carries: none (the event waits for export), `exportedAt`, or
 * both (the gateway refused it). A string when the fields are malformed: a line that says it
 * was exported must not be exported again by a misreading, nor lose its refusal.
 */
function exportState({
  exportedAt,
  exportRejection,
}: Record<string, unknown>): ExportState | string {
  if (exportedAt === undefined || exportedAt === null) {
    return exportRejection === undefined || exportRejection === null
      ? {}
      : 'exportRejection needs exportedAt'
  }
  const at = parseTime(exportedAt)
  if (at === undefined) return `exportedAt must be ${timeRule}`
  if (exportRejection === undefined || exportRejection === null) return { exportedAt: at }
  if (typeof exportRejection !== 'string' || exportRejection.length > maxReasonLength) {
    return `exportRejection must be a string of at most ${maxReasonLength} characters`
  }
  return { exportedAt: at, exportRejection }
}

function readLine(line: string, scrub: Scrubber, now: () => Date): Verdict {
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
  const stamp = value.timestamp
  const timestamp = parseTime(stamp)
  if (timestamp === undefined) {
    return { ok: false, reason: `timestamp must be ${timeRule}` }
  }
  const exported = exportState(value)
  if (typeof exported === 'string') return { ok: false, reason: exported }
  // Judged and scrubbed as ingest judges an event; unknown fields are left out of the copy.
  // The parsed object is this line's own, so it takes the Date in place of a copy of it.
  value.timestamp = timestamp
  const verdict = validateEvent(value, { scrub })
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
      // The timestamp is kept as given: a dump writes the corrected one beside it, mostly
      // the same text, which is not parsed twice.
      correctedTimestamp: sameTime(value.correctedTimestamp, stamp, timestamp) ?? timestamp,
      receivedAt: sameTime(value.receivedAt, stamp, timestamp) ?? now(),
      ...exported,
    },
  }
}

/**
 * Reads events as JSON Lines (what `tally dump` writes: the event with ISO times, plus
 * `userId`), validates and scrubs each like ingest, and stores them in batches, each batch one
 * transaction; an id already stored is left as it was. A line's `exportedAt` (and
 * `exportRejection`) is kept, so the events a dump says the gateway answered for are not
 * exported again; the others wait for export like new events. Streams: only one batch is held.
 */
export async function importIntoStore(
  store: ServerEventStore,
  lines: AsyncIterable<string> | Iterable<string>,
  settings: ImportSettings = {},
): Promise<ImportSummary> {
  const maxBatchEvents = settings.maxBatchEvents ?? importBatchEvents[store.kind]
  const maxReasons = settings.maxReasons ?? 10
  const now = settings.now ?? (() => new Date())
  checkPositive('maxBatchEvents', maxBatchEvents)
  const scrub = createScrubber([...defaultScrubRules, ...(settings.scrubRules ?? [])])
  const summary: ImportSummary = { stored: 0, present: 0, refused: 0, reasons: [] }
  let batch: IngestedEvent[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const stored = await store.insert(batch)
    summary.stored += stored
    summary.present += batch.length - stored
    batch = []
    settings.onBatch?.(summary)
  }
  let number = 0
  for await (const line of lines) {
    number += 1
    if (line.trim() === '') continue
    const verdict = readLine(line, scrub, now)
    if (!verdict.ok) {
      summary.refused += 1
      if (summary.reasons.length < maxReasons)
        summary.reasons.push(`line ${number}: ${verdict.reason}`)
      continue
    }
    batch.push(verdict.row)
    if (batch.length >= maxBatchEvents) await flush()
  }
  await flush()
  return summary
}

/**
 * `tally import FILE`: opens the store the options name, imports `lines`, brings the rollups up
 * to them and closes it.
 */
export async function importEvents(
  options: ImportOptions,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ImportSummary> {
  const store = await openStore({ ...options, sqliteCacheMiB: importCacheMiB })
  try {
    const summary = await importIntoStore(store, lines, options)
    await store.insights?.settle()
    return summary
  } finally {
    await store.close()
  }
}

/**
 * The lines of a stream (a file, or stdin for `-`), one at a time as they arrive, CRLF or LF,
 * for `importEvents`.
 */
export function readLines(input: Readable): AsyncIterable<string> {
  const lines = createInterface({ input, crlfDelay: Infinity })
  // Iterated from now: readline drops the lines it reads before its iterator exists, which
  // are every line of a short file while a PostgreSQL store is still connecting.
  const iterator = lines[Symbol.asyncIterator]()
  return { [Symbol.asyncIterator]: () => iterator }
}

/**
 * What `tally import FILE` reads: `stdin` for `-`, else the file, opened now so that a missing
 * one is refused (InvalidSettingError) before any store is opened.
 */
export async function openImportInput(file: string, stdin: Readable): Promise<Readable> {
  if (file === '-') return stdin
  try {
    return (await open(file, 'r')).createReadStream()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new InvalidSettingError(
      'FILE',
      `cannot read ${JSON.stringify(file)}${typeof code === 'string' ? ` (${code})` : ''}: FILE must be a readable file, or - for standard input`,
      { cause: error },
    )
  }
}

/** The summary as `tally import` prints it. */
export function describeImport({ stored, present, refused, reasons }: ImportSummary): string {
  const counts = `${stored} stored, ${present} already present, ${refused} refused`
  return [counts, ...reasons.map(reason => `  ${reason}`)].join('\n')
}
