import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeRecords } from './file-records.js'
import type { FileQueueIndex } from './file-queue-index.js'
import { errorCode, isRunning, thisHost } from './local-process.js'

/**
 * A store directory holds segment files `seg.<host>.<pid>.<writer>.<n>.log`, each appended to
 * by one store instance alone (with O_APPEND), and compacted files `cmp.<id>.log` that the
 * send lease holder writes from sealed segments. Nothing is ever rewritten in place.
 */
const segmentName = /^seg\.([A-Za-z0-9-]+)\.(\d+)\.([\w-]+)\.(\d+)\.log$/
const compactedName = /^cmp\.[\w-]+\.log$/

/**
 * A segment of another machine or container whose writer cannot be asked whether it lives
 * counts as abandoned only after this long without a write.
 */
const foreignSegmentIdleMs = 24 * 60 * 60_000

export function segmentFileName(pid: number, writer: string, n: number): string {
  return `seg.${thisHost}.${pid}.${writer}.${String(n).padStart(6, '0')}.log`
}

interface FileState {
  /** Bytes read (or, for the reader's own segment, written) so far: whole records only. */
  offset: number
  /** The writer appended its seal record. */
  sealedRecord: boolean
  /** Bytes past `offset` that do not end a record yet. */
  tail: boolean
  /** Whole records that failed their hash or did not parse. */
  corrupt: number
  /** The tail is a record that a crash cut short: it will never be completed. */
  torn: boolean
  /** When it was last written, for writers whose pid means nothing here. */
  modifiedMs: number
  /** Nothing will be appended to it: its writer sealed it, moved on, or is gone. */
  sealed: boolean
}

/** Writers of segments in this process that are still open: the pid alone cannot tell. */
export const openWriters = new Set<string>()

function isAlive(writerHost: string, pid: number, writer: string, modifiedMs: number): boolean {
  if (writerHost !== thisHost) return Date.now() - modifiedMs < foreignSegmentIdleMs
  if (pid === process.pid) return openWriters.has(writer)
  return isRunning(writerHost, pid) ?? true
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(to - from)
    let read = 0
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, from + read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    return buffer.subarray(0, read)
  } finally {
    await handle.close()
  }
}

/**
 * Keeps a {@link FileQueueIndex} in step with a store directory, reading only what was
 * appended since the last look, and starting over when a file disappears (compaction).
 */
export class SegmentReader {
  private files = new Map<string, FileState>()
  /** Records skipped so far in each file, kept across rebuilds so that none is counted twice. */
  private reported = new Map<string, number>()

  constructor(
    private readonly directory: string,
    private readonly createIndex: () => FileQueueIndex,
    private readonly onSkipped: (count: number) => void,
    public index: FileQueueIndex = createIndex(),
  ) {}

  /** Counts records of its own segment as read: the writer indexed them as it wrote them. */
  wrote(name: string, bytes: number): void {
    this.state(name).offset += bytes
  }

  sealed(): string[] {
    return [...this.files].filter(([, state]) => state.sealed).map(([name]) => name)
  }

  fileBytes(name: string): number {
    return this.files.get(name)?.offset ?? 0
  }

  private state(name: string): FileState {
    let state = this.files.get(name)
    if (!state) {
      state = {
        offset: 0,
        sealedRecord: false,
        tail: false,
        corrupt: 0,
        torn: false,
        modifiedMs: 0,
        sealed: false,
      }
      this.files.set(name, state)
    }
    return state
  }

  /** Reads what changed; throws only when the directory cannot be read at all. */
  async refresh(): Promise<void> {
    // A file vanishing mid-read means a compaction ran: read everything again.
    for (let attempt = 0; !(await this.readChanges()); attempt++) {
      if (attempt >= 5) throw new Error('the store directory keeps changing while it is read')
      this.files = new Map()
      this.index = this.createIndex()
    }
  }

  private async readChanges(): Promise<boolean> {
    const names = (await readdir(this.directory))
      .filter(name => segmentName.test(name) || compactedName.test(name))
      .sort()
    const present = new Set(names)
    for (const name of this.files.keys()) if (!present.has(name)) return false
    for (const name of names) {
      const state = this.state(name)
      const path = join(this.directory, name)
      let buffer: Buffer
      try {
        const { size, mtimeMs } = await stat(path)
        state.modifiedMs = mtimeMs
        if (size < state.offset) return false
        if (size === state.offset) continue
        buffer = await readRange(path, state.offset, size)
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false
        throw error
      }
      const { records, consumed, corrupt } = decodeRecords(buffer)
      state.offset += consumed
      state.tail = consumed < buffer.length
      state.corrupt += corrupt
      for (const record of records) {
        if (record.type === 'events') this.index.addEvents(name, record.t, record.events)
        else if (record.type === 'removed') this.index.addRemoved(record.ids)
        else state.sealedRecord = true
      }
    }
    this.judgeSealed(names)
    return true
  }

  private judgeSealed(names: readonly string[]): void {
    const newest = new Map<string, string>()
    for (const name of names) {
      const match = segmentName.exec(name)
      if (match) newest.set(match[3] as string, name)
    }
    for (const name of names) {
      const state = this.state(name)
      const match = segmentName.exec(name)
      state.sealed =
        !match ||
        state.sealedRecord ||
        newest.get(match[3] as string) !== name ||
        !isAlive(match[1] as string, Number(match[2]), match[3] as string, state.modifiedMs)
      // A sealed file ending in a partial record was cut short by a crash: that record is lost.
      state.torn = state.sealed && state.tail
      const skipped = state.corrupt + (state.torn ? 1 : 0)
      const before = this.reported.get(name) ?? 0
      if (skipped > before) {
        this.reported.set(name, skipped)
        this.onSkipped(skipped - before)
      }
    }
  }
}
