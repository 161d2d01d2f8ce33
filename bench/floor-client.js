// The hand-written floor the browser benchmark sets Tally beside: the least a durable client
// does with the same four dependencies (idb, nanoid, ky, superjson), and no more. It stamps
// and copies each event, writes what one task recorded in one IndexedDB transaction, and
// sends the stored events in batches. No scrubbing, validation, bounds, drop counting,
// retries, cross-tab sender, unload send or spill: what it lacks is what Tally's figures pay
// for, so that the gap between the two is the price of those guarantees.
import { openDB } from 'idb'
import ky from 'ky'
import { nanoid } from 'nanoid'
import superjson from 'superjson'

/**
 * @param {{ url: string, name?: string, maxBatchEvents?: number }} options
 */
export function createFloorClient({ url, name = 'floor-telemetry', maxBatchEvents = 1_000 }) {
  const opened = openDB(name, 1, {
    upgrade: db => db.createObjectStore('events', { keyPath: 'id' }),
  })
  /** @type {object[]} */
  let pending = []
  let writing = Promise.resolve()

  /** One readwrite transaction, its puts not awaited one by one. */
  const persist = async events => {
    const tx = (await opened).transaction('events', 'readwrite')
    for (const event of events) void tx.store.put(event)
    await tx.done
  }

  const write = () => {
    const events = pending
    pending = []
    return persist(events)
  }

  return {
    ready: () => opened.then(() => undefined),
    persist,
    recordEvent(feature, action, parameters = {}) {
      // A copy: the app changing its object later must not change the recorded event.
      const event = {
        id: nanoid(),
        timestamp: new Date(),
        feature,
        action,
        parameters: structuredClone(parameters),
      }
      // The first event of a task schedules the write that takes all of them.
      if (pending.push(event) === 1) writing = writing.then(write, write)
    },
    async flush() {
      await writing
      const db = await opened
      for (;;) {
        const events = await db.getAll('events', undefined, maxBatchEvents)
        if (events.length === 0) return
        await ky.post(url, {
          body: superjson.stringify({ events, sentAt: new Date() }),
          headers: { 'content-type': 'application/json' },
        })
        const tx = db.transaction('events', 'readwrite')
        for (const { id } of events) void tx.store.delete(id)
        await tx.done
      }
    },
  }
}
