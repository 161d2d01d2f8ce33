import type { StoreBounds, StoredEvent } from './event-store.js'

interface Indexed {
  entry: StoredEvent
  /** When it was appended: the queue's order across processes. */
  t: number
  /** Arrival in this index: the order within a file. */
  seq: number
  file: string
}

/**
 * Append time first; then, so that every process sees one order for appends made in the same
 * millisecond by different writers, the file, and the order within it.
 */
function compare(a: Indexed, b: Indexed): number {
  return a.t - b.t || (a.file === b.file ? a.seq - b.seq : a.file < b.file ? -1 : 1)
}

/**
 * The queue as read from every segment of a store directory: events minus removed ids, oldest
 * first by append time. Rebuilt from the files whenever one of them disappears (compaction).
 */
export class FileQueueIndex {
  private live = new Map<string, Indexed>()
  private removed = new Set<string>()
  /** Where each id read so far was first stored, removed ones included (for compaction). */
  private located = new Map<string, string>()
  /** Ids stored in more than one file (an append retried after a failure that wrote it). */
  private duplicated = new Set<string>()
  private order: Indexed[] = []
  private head = 0
  private sorted = true
  private seq = 0
  private liveBytes = 0

  get count(): number {
    return this.live.size
  }

  get bytes(): number {
    return this.liveBytes
  }

  addEvents(file: string, t: number, events: readonly StoredEvent[]): void {
    for (const entry of events) {
      const { id } = entry.event
      const seen = this.located.get(id)
      if (seen !== undefined) {
        if (seen !== file) this.duplicated.add(id)
        continue
      }
      this.located.set(id, file)
      if (this.removed.has(id)) continue
      const indexed = { entry, t, seq: this.seq++, file }
      const last = this.order.at(-1)
      if (last && compare(last, indexed) > 0) this.sorted = false
      this.order.push(indexed)
      this.live.set(id, indexed)
      this.liveBytes += entry.bytes
    }
  }

  /** Marks ids removed; resolves with how many of them were queued. */
  addRemoved(ids: readonly string[]): number {
    let removed = 0
    for (const id of ids) {
      this.removed.add(id)
      const indexed = this.live.get(id)
      if (!indexed) continue
      this.live.delete(id)
      this.liveBytes -= indexed.entry.bytes
      removed++
    }
    return removed
  }

  /** The oldest queued events, walked in order; stops when `take` returns false. */
  private *oldest(): Generator<Indexed> {
    if (!this.sorted) {
      this.order = this.order
        .slice(this.head)
        .filter(indexed => this.live.get(indexed.entry.event.id) === indexed)
        .sort(compare)
      this.head = 0
      this.sorted = true
    }
    // Acknowledged events are nearly always the oldest: skip them once, for good.
    while (this.head < this.order.length && !this.isLive(this.order[this.head] as Indexed)) {
      this.head++
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
    for (let index = this.head; index < this.order.length; index++) {
      const indexed = this.order[index] as Indexed
      if (this.isLive(indexed)) yield indexed
    }
  }

  private isLive(indexed: Indexed): boolean {
    return this.live.get(indexed.entry.event.id) === indexed
  }

  /** The oldest events, up to `maxEvents` and `maxBytes`, but always one if any is queued. */
  peek(maxEvents: number, maxBytes: number): StoredEvent[] {
    const batch: StoredEvent[] = []
    let bytes = 0
    for (const { entry } of this.oldest()) {
      if (batch.length >= maxEvents || (batch.length > 0 && bytes + entry.bytes > maxBytes)) break
      batch.push(entry)
      bytes += entry.bytes
    }
    return batch
  }

  /** The oldest ids to drop so that the queue fits `bounds`. */
  overflow(bounds: StoreBounds): string[] {
    const ids: string[] = []
    let count = this.live.size
    let bytes = this.liveBytes
    if (count <= bounds.maxEvents && bytes <= bounds.maxBytes) return ids
    for (const { entry } of this.oldest()) {
      if (count <= bounds.maxEvents && bytes <= bounds.maxBytes) break
      ids.push(entry.event.id)
      count--
      bytes -= entry.bytes
    }
    return ids
  }

  liveIds(): string[] {
    return [...this.live.keys()]
  }

  /**
   * What compacting `files` must keep: their queued events, oldest first, and the removals
   * of ids stored in other files (which would otherwise come back). `garbage` counts the
   * removed events stored in `files`, which compaction frees.
   */
  compaction(files: ReadonlySet<string>): {
    events: { t: number; entry: StoredEvent }[]
    removals: string[]
    garbage: number
  } {
    const events = [...this.oldest()].filter(indexed => files.has(indexed.file))
    const removals: string[] = []
    let garbage = 0
    for (const id of this.removed) {
      const file = this.located.get(id)
      if (file === undefined) continue
      if (files.has(file)) garbage++
      if (!files.has(file) || this.duplicated.has(id)) removals.push(id)
    }
    return { events, removals, garbage }
  }
}
