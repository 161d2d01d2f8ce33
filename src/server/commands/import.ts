import { open } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { ScrubRule } from '../../protocol/scrub-rules.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'
import type { ServerEventStore } from '../stores/server-event-store.js'
import { openLinesJudge } from './import-judges.js'
import type { JudgedLines, LinesChunk } from './import-lines.js'
import { openStore, type StorageOptions } from './options.js'

export interface ImportSettings {
  /** Rules added to the default scrub rules, as `tally serve --scrub-rule` adds them. */
  scrubRules?: readonly ScrubRule[]
  /**
   * Lines stored per transaction: each commit writes the pages the batch touched, and the
   * rollups count a batch's events per key before writing, so fewer, larger batches write
   * less per event. @default 10000
   */
  maxBatchEvents?: number
  /** Refusal reasons kept for the summary; the rest are only counted. @default 10 */
  maxReasons?: number
  /** `receivedAt` for lines without one, read once per batch. @default () => new Date() */
  now?: () => Date
  /**
   * Judge the lines (parse, validate, scrub) in a worker thread while this thread stores the
   * batch before, as the built package does when its worker file is beside it and the scrub
   * rules can be sent to a thread (a rule whose replacement is a function cannot); false, or
   * either missing, judges them on this thread. @default true
   */
  worker?: boolean
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

/** Lines stored per transaction unless the settings say otherwise. */
export const defaultImportBatchEvents = 10_000

/** Chunks of `size` lines, each stamped with the time it was read. */
async function* chunksOf(
  lines: AsyncIterable<string> | Iterable<string>,
  size: number,
  now: () => Date,
): AsyncGenerator<LinesChunk> {
  let chunk: string[] = []
  let firstLine = 1
  for await (const line of lines) {
    chunk.push(line)
    if (chunk.length < size) continue
    yield { lines: chunk, firstLine, readAt: now() }
    firstLine += chunk.length
    chunk = []
  }
  if (chunk.length > 0) yield { lines: chunk, firstLine, readAt: now() }
}

/**
 * Reads events as JSON Lines (what `tally dump` writes: the event with ISO times, plus
 * `userId`), validates and scrubs each like ingest, and stores them in batches, each batch one
 * transaction; an id already stored is left as it was. Streams: the lines are judged a chunk
 * ahead of the batch being stored (in a worker thread where there is one, see
 * import-judges.ts), so at most three chunks are held.
 */
export async function importIntoStore(
  store: ServerEventStore,
  lines: AsyncIterable<string> | Iterable<string>,
  settings: ImportSettings = {},
): Promise<ImportSummary> {
  const maxBatchEvents = settings.maxBatchEvents ?? defaultImportBatchEvents
  const maxReasons = settings.maxReasons ?? 10
  if (!Number.isSafeInteger(maxBatchEvents) || maxBatchEvents < 1) {
    throw new RangeError('maxBatchEvents must be a positive whole number')
  }
  const summary: ImportSummary = { stored: 0, present: 0, refused: 0, reasons: [] }
  const keep = async ({ rows, refused }: JudgedLines) => {
    for (const { line, reason } of refused) {
      if (summary.reasons.length < maxReasons) summary.reasons.push(`line ${line}: ${reason}`)
    }
    summary.refused += refused.length
    if (rows.length === 0) return
    const stored = await store.insert(rows)
    summary.stored += stored
    summary.present += rows.length - stored
  }
  const judge = openLinesJudge(settings.scrubRules ?? [], settings.worker ?? true)
  try {
    const ahead: Promise<JudgedLines>[] = []
    for await (const chunk of chunksOf(lines, maxBatchEvents, settings.now ?? (() => new Date()))) {
      const judged = judge.judge(chunk)
      // Awaited in turn below; a failure meanwhile must not count as unhandled.
      judged.catch(() => undefined)
      ahead.push(judged)
      const next = ahead.length > 1 ? ahead.shift() : undefined
      if (next !== undefined) await keep(await next)
    }
    for (const judged of ahead) await keep(await judged)
  } finally {
    await judge.close()
  }
  return summary
}

/** `tally import FILE`: opens the store the options name, imports `lines`, closes it. */
export async function importEvents(
  options: ImportOptions,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ImportSummary> {
  const store = await openStore(options)
  try {
    return await importIntoStore(store, lines, options)
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
