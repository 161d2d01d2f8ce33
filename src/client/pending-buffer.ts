import type { StoredEvent } from './stores/event-store.js'

/**
 * Events recorded but not yet handed to the store (drafts, or events built from them), bounded so that a stalled store cannot
 * grow memory without limit. Dropping the oldest moves a head index instead of shifting the
 * array, so a full buffer still records in O(1).
 */
export class PendingBuffer<T = StoredEvent> {
  private entries: T[] = []
  private head = 0

  constructor(private readonly maxEvents: number) {}

  get length(): number {
    return this.entries.length - this.head
  }

  /** Adds an event; returns how many of the oldest were dropped to make room (0 or 1). */
  push(entry: T): number {
    this.entries.push(entry)
    if (this.length <= this.maxEvents) return 0
    this.head++
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
    return 1
  }

  /** Everything, oldest first, left in place. */
  peek(): T[] {
    return this.entries.slice(this.head)
  }

  /** Takes everything, oldest first. */
  take(): T[] {
    const taken = this.peek()
    this.entries = []
    this.head = 0
    return taken
  }

  /** Puts back events whose write failed, ahead of newer ones, within the bound. */
  restore(chunk: T[]): number {
    const merged = chunk.concat(this.take())
    const dropped = Math.max(0, merged.length - this.maxEvents)
    this.entries = merged.slice(dropped)
    return dropped
  }
}
