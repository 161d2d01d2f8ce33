import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { newId } from '../ids.js'
import type { LeaseHolder } from '../platform/lease-lock.js'
import type { EventStore, StoreBounds, StoredEvent } from './event-store.js'
import { fileLease } from './file-lease.js'
import { FileQueueIndex } from './file-queue-index.js'
import { encodeEvents, encodeRemoved, encodeSealed } from './file-records.js'
import { openWriters, segmentFileName, SegmentReader } from './file-segments.js'

export interface FileStoreOptions {
  /** Where the queue lives; created if missing. Several processes may share it. */
  directory: string
  bounds: StoreBounds
  /**
   * Waits for each append to reach the disk (`fdatasync`), so that events survive a power
   * loss and not only a crash of the process. @default true
   */
  sync?: boolean
  /** Told how many records were skipped as torn or corrupt, each time some are found. */
  onSkipped?: (count: number) => void
  /** This store's segment is sealed and a new one started past this size. @default 1048576 */
  maxSegmentBytes?: number
}

/** The editor extensions' durable queue: a directory shared by every window of the editor. */
export interface FileStore extends EventStore, LeaseHolder {
  readonly kind: 'file'
  readonly directory: string
  /** Records skipped since the store opened because a crash tore them or they are corrupt. */
  readonly skipped: number
}

/**
 * Makes a new file's name durable, which syncing the file alone does not promise. Not every
 * platform can open a directory (Windows cannot): there the file system's own order must do.
 */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // See above.
  }
}

/** Removals are written in lines of at most this many ids. */
const idsPerLine = 1_000
/** Past this many sealed files, compaction runs even when they hold little garbage. */
const maxSealedFiles = 8

/**
 * Opens the file store. Each instance appends to segments of its own, so concurrent writers
 * never interleave; reads merge every segment of the directory; removals are records too.
 * Only the holder of the send lease compacts sealed segments into a new file. A crash can
 * tear at most the record being written, which readers skip and count.
 */
export async function openFileStore(options: FileStoreOptions): Promise<FileStore> {
  const { directory, bounds } = options
  const sync = options.sync ?? true
  const maxSegmentBytes = options.maxSegmentBytes ?? 1024 * 1024
  await mkdir(directory, { recursive: true })

  let skipped = 0
  const reader = new SegmentReader(
    directory,
    () => new FileQueueIndex(),
    count => {
      skipped += count
      options.onSkipped?.(count)
    },
  )
  const lease = fileLease(join(directory, 'send.lease'))
  let leaseUntil = 0

  const writer = newId()
  let segment = 0
  let current = { name: '', handle: undefined as FileHandle | undefined }
  const startSegment = async () => {
    const name = segmentFileName(process.pid, writer, segment++)
    current = { name, handle: await open(join(directory, name), 'a') }
    if (sync) await syncDirectory(directory)
  }
  openWriters.add(writer)
  await startSegment()

  /** Appends to this instance's segment; resolves with the file written. */
  const writeRaw = async (text: string): Promise<string> => {
    const data = Buffer.from(text)
    const { handle, name } = current
    if (!handle) throw new Error('the file store is closed')
    try {
      for (let written = 0; written < data.length;) {
        written += (await handle.write(data, written)).bytesWritten
      }
    } catch (error) {
      // Whatever part of the record reached the file stays a torn tail, skipped by readers;
      // later records go to a fresh segment so that they never follow it on the same line.
      await handle.close().catch(() => {})
      current.handle = undefined
      await startSegment()
      throw error
    }
    reader.wrote(name, data.length)
    return name
  }

  /** Appends, then moves to a new segment if this one is full; resolves with the file written. */
  const writeOwn = async (text: string): Promise<string> => {
    const written = await writeRaw(text)
    const { handle, name } = current
    if (handle && reader.fileBytes(name) > maxSegmentBytes) {
      await writeRaw(encodeSealed())
      if (sync) await handle.datasync()
      await handle.close()
      await startSegment()
    }
    return written
  }

  const remember = async (ids: readonly string[]) => {
    for (let start = 0; start < ids.length; start += idsPerLine) {
      const line = ids.slice(start, start + idsPerLine)
      await writeOwn(encodeRemoved(line))
      reader.index.addRemoved(line)
    }
  }

  /** Rewrites sealed files holding mostly removed events into one; only the lease holder. */
  const compact = async () => {
    const sealed = reader.sealed()
    if (sealed.length === 0) return
    const files = new Set(sealed)
    const { events, removals, garbage } = reader.index.compaction(files)
    // Worth it once half of what they hold is removed, or to keep the file count bounded.
    if (sealed.length <= maxSealedFiles && (garbage === 0 || garbage < events.length)) return
    let text = ''
    // One record per append time, as they were written: the order survives the rewrite.
    for (let start = 0, end = 0; start < events.length; start = end) {
      const { t } = events[start] as (typeof events)[number]
      while (end < events.length && (events[end] as (typeof events)[number]).t === t) end++
      text += encodeEvents(
        t,
        events.slice(start, end).map(({ entry }) => entry),
      )
    }
    for (let start = 0; start < removals.length; start += idsPerLine) {
      text += encodeRemoved(removals.slice(start, start + idsPerLine))
    }
    if (text !== '') {
      const name = `cmp.${newId()}.log`
      const temporary = join(directory, `${name}.tmp`)
      const handle = await open(temporary, 'w')
      try {
        await handle.writeFile(text)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      // The rename publishes the whole file at once; should the process die before the
      // unlinks, the events exist twice, and readers keep the first of each id.
      await rename(temporary, join(directory, name))
      await syncDirectory(directory)
    }
    for (const name of sealed) await unlink(join(directory, name)).catch(() => {})
    await reader.refresh()
  }

  let closed = false
  // Operations of one instance run one after another: each sees the previous one's writes.
  let chain: Promise<unknown> = Promise.resolve()
  const serialized = <T>(operation: () => Promise<T>): Promise<T> => {
    const result = chain.then(() => {
      if (closed) throw new Error('the file store is closed')
      return operation()
    })
    chain = result.catch(() => {})
    return result
  }

  await reader.refresh()

  return {
    kind: 'file',
    directory,
    get skipped() {
      return skipped
    },
    append: (events: readonly StoredEvent[]) =>
      serialized(async () => {
        const t = Date.now()
        const { handle } = current
        // Indexed under the file written, which is no longer the current one after a rotation:
        // compaction must find them there.
        reader.index.addEvents(await writeOwn(encodeEvents(t, events)), t, events)
        // After a rotation the written segment was synced before it was closed.
        if (sync && handle === current.handle) await handle?.datasync()
        await reader.refresh()
        // Another window may append at the same moment and both trim: then a few more than
        // needed are dropped, never fewer, and each window counts its own.
        const doomed = reader.index.overflow(bounds)
        // Removals need no sync: one lost to a power cut only means the event is sent again,
        // and the backend stores each id once.
        await remember(doomed)
        return { count: reader.index.count, dropped: doomed.length }
      }),
    peek: (maxEvents, maxBytes) =>
      serialized(async () => {
        await reader.refresh()
        return reader.index.peek(maxEvents, maxBytes)
      }),
    remove: ids =>
      serialized(async () => {
        await remember(ids)
        await reader.refresh()
        if (Date.now() < leaseUntil) await compact()
        return reader.index.count
      }),
    count: () =>
      serialized(async () => {
        await reader.refresh()
        return reader.index.count
      }),
    clear: () =>
      serialized(async () => {
        await reader.refresh()
        const ids = reader.index.liveIds()
        await remember(ids)
        return ids.length
      }),
    close: () =>
      closed
        ? Promise.resolve()
        : serialized(async () => {
            closed = true
            const { handle } = current
            if (!handle) return
            await writeRaw(encodeSealed()).catch(() => {})
            if (sync) await handle.datasync().catch(() => {})
            current.handle = undefined
            openWriters.delete(writer)
            await handle.close()
          }),
    async claim(owner, leaseMs, now) {
      // A closed store holds nothing: a send still hanging after shutdown lets the lease lapse.
      if (closed) return false
      const claimed = await lease.claim(owner, leaseMs, now)
      if (claimed) leaseUntil = now + leaseMs
      return claimed
    },
    async release(owner) {
      leaseUntil = 0
      await lease.release(owner)
    },
  }
}
