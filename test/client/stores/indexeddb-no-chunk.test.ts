import { IDBFactory, installIndexedDbClasses } from './fake-indexeddb.js'
import { describe, expect, it, vi } from 'vitest'
import { openIndexedDbStore } from '../../../src/client/stores/indexeddb-store.js'
import { storedEvent } from '../../support/events.js'

// The sender's chunk fails to load (offline, or a deploy removed it), for the whole file.
vi.mock('../../../src/client/sending.js', () => {
  throw new Error('chunk failed to load')
})

installIndexedDbClasses()

describe('the IndexedDB queue without the sender’s chunk', () => {
  it("adds an earlier page's events it cannot look up rather than fail (the backend stores each id once)", async () => {
    const store = await openIndexedDbStore({
      bounds: { maxEvents: 100, maxBytes: 1_000_000 },
      indexedDB: new IDBFactory(),
    })
    // Stamped before the store opened: the lookup needs the chunk's read side.
    const spilled = [storedEvent('a'), storedEvent('b')]
    expect(await store.append(spilled)).toEqual({ count: 2, dropped: 0 })
    expect(await store.append(spilled)).toEqual({ count: 4, dropped: 0 })
    // This page's own events need no lookup.
    expect(await store.append([storedEvent('c', 100, { timestamp: new Date() })])).toEqual({
      count: 5,
      dropped: 0,
    })
    await store.close()
  })
})
