import { TallyServerError } from '../errors/tally-server-error.js'
import type { PageCursor } from '../stores/insights-store.js'
import type { IngestedEvent, ServerEventStore } from '../stores/server-event-store.js'
import { openStore, type StorageOptions } from './options.js'

export interface DumpSettings {
  /** Rows read per query, and written per call of `write`. @default 1000 */
  maxPageRows?: number
}

export interface DumpOptions extends StorageOptions, DumpSettings {}

/**
 * One line of a dump: the event as the wire carries it with its times as ISO 8601 strings,
 * plus `userId`, and the instance's own `correctedTimestamp`, `receivedAt` and, once the
 * gateway answered for it, `exportedAt` (and `exportRejection`), which `tally import` keeps.
 */
export function dumpLine({
  event,
  userId,
  correctedTimestamp,
  receivedAt,
  exportedAt,
  exportRejection,
}: IngestedEvent): string {
  return JSON.stringify({
    ...event,
    timestamp: event.timestamp.toISOString(),
    userId,
    correctedTimestamp: correctedTimestamp.toISOString(),
    receivedAt: receivedAt.toISOString(),
    // Absent rather than null while the event waits for export: undefined is left out.
    exportedAt: exportedAt?.toISOString(),
    exportRejection: exportRejection ?? undefined,
  })
}

/**
 * Writes every stored event as JSON Lines, in time order (the corrected timestamp, then the
 * id: see `InsightsStore.page`), a page at a time: `write` is awaited before the next page is
 * read, so a slow reader holds the dump back rather than filling memory. Resolves with the
 * events written.
 */
export async function dumpFromStore(
  store: ServerEventStore,
  write: (chunk: string) => void | Promise<void>,
  settings: DumpSettings = {},
): Promise<number> {
  const maxPageRows = settings.maxPageRows ?? 1000
  const { insights } = store
  if (insights === undefined) {
    throw new TallyServerError('store', `the ${store.kind} store cannot list its events`)
  }
  let written = 0
  let after: PageCursor | undefined
  for (;;) {
    const page = await insights.page(after, maxPageRows)
    const last = page.at(-1)
    if (last === undefined) return written
    await write(page.map(row => `${dumpLine(row)}\n`).join(''))
    written += page.length
    after = { correctedTimestamp: last.correctedTimestamp, id: last.event.id }
  }
}

/** `tally dump`: opens the store the options name, writes its events, closes it. */
export async function dumpEvents(
  options: DumpOptions,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  const store = await openStore(options)
  try {
    return await dumpFromStore(store, write, options)
  } finally {
    await store.close()
  }
}
