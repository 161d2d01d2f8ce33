import type { ServerEventStore } from '../stores/server-event-store.js'

export interface InstanceStoresOptions {
  /** Opens and migrates the store of an instance's events. */
  open: (instance: string) => Promise<ServerEventStore>
  /** Stores kept open when none is in use; the least recently used beyond are closed. */
  maxOpen: number
}

/** The instance stores a gateway has open, each opened on first use. */
export interface InstanceStores {
  /**
   * Runs `work` with the instance's store, opened if needed. The store stays open until
   * `work` settles, whatever else is opened meanwhile.
   */
  use<T>(instance: string, work: (store: ServerEventStore) => Promise<T>): Promise<T>
  /** Closes every store; `use` refuses afterwards. Idempotent. */
  close(): Promise<void>
}

interface Entry {
  store: Promise<ServerEventStore>
  /** Calls of `use` running with this store: it is never closed under them. */
  users: number
}

/**
 * A bounded cache of instance stores: a gateway serving a thousand instances must not hold a
 * thousand SQLite files or PostgreSQL pools open. The Map's order is the order of last use.
 */
export function cacheInstanceStores({ open, maxOpen }: InstanceStoresOptions): InstanceStores {
  const entries = new Map<string, Entry>()
  const closing = new Set<Promise<void>>()
  let closed = false

  const closeStore = (entry: Entry) => {
    const done = entry.store
      .then(store => store.close())
      .catch(() => undefined)
      .finally(() => closing.delete(done))
    closing.add(done)
  }

  /** Closes the least recently used stores not in use, down to `maxOpen`. */
  const evict = () => {
    for (const [instance, entry] of entries) {
      if (entries.size <= maxOpen) return
      if (entry.users > 0) continue
      entries.delete(instance)
      closeStore(entry)
    }
  }

  return {
    async use(instance, work) {
      if (closed) throw new Error('the gateway store is closed')
      let entry = entries.get(instance)
      if (entry === undefined) {
        const opening = open(instance)
        entry = { store: opening, users: 0 }
        const made = entry
        // A store that failed to open is forgotten, so that the next use tries again.
        opening.catch(() => {
          if (entries.get(instance) === made) entries.delete(instance)
        })
      } else {
        entries.delete(instance)
      }
      entries.set(instance, entry)
      entry.users += 1
      try {
        return await work(await entry.store)
      } finally {
        entry.users -= 1
        evict()
      }
    },
    async close() {
      closed = true
      for (const entry of entries.values()) closeStore(entry)
      entries.clear()
      await Promise.all([...closing])
    },
  }
}
