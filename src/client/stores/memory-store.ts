import type { AppendResult, EventStore, StoreBounds, StoredEvent } from './event-store.js'

/**
 * The in-memory queue: the fallback where no durable store works, and the store of tests.
 * An array with a moving head, so that acknowledging the oldest events (the usual case) is
 * O(batch) and not O(queue).
 */
export function createMemoryStore(bounds: StoreBounds): EventStore {
  let entries: StoredEvent[] = []
  let head = 0
  let bytes = 0

  const size = () => entries.length - head
  const compact = () => {
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head)
      head = 0
    }
  }

  return {
    kind: 'memory',
    async append(events): Promise<AppendResult> {
      for (const entry of events) {
        entries.push(entry)
        bytes += entry.bytes
      }
      let dropped = 0
      while (size() > 0 && (size() > bounds.maxEvents || bytes > bounds.maxBytes)) {
        const oldest = entries[head++] as StoredEvent
        bytes -= oldest.bytes
        dropped++
      }
      compact()
      return { count: size(), dropped }
    },
    async peek(maxEvents, maxBytes) {
      const batch: StoredEvent[] = []
      let batchBytes = 0
      for (let index = head; index < entries.length && batch.length < maxEvents; index++) {
        const entry = entries[index] as StoredEvent
        if (batch.length > 0 && batchBytes + entry.bytes > maxBytes) break
        batch.push(entry)
        batchBytes += entry.bytes
      }
      return batch
    },
    async remove(ids) {
      const doomed = new Set(ids)
      while (head < entries.length && doomed.has((entries[head] as StoredEvent).event.id)) {
        bytes -= (entries[head] as StoredEvent).bytes
        doomed.delete((entries[head] as StoredEvent).event.id)
        head++
      }
      if (doomed.size > 0) {
        entries = entries.slice(head).filter(entry => {
          if (!doomed.has(entry.event.id)) return true
          bytes -= entry.bytes
          return false
        })
        head = 0
      }
      compact()
      return size()
    },
    async count() {
      return size()
    },
    async clear() {
      const removed = size()
      entries = []
      head = 0
      bytes = 0
      return removed
    },
    async close() {},
  }
}
