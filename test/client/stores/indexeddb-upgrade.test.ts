import { afterEach, describe, expect, it, vi } from 'vitest'
import type { IndexedDbStore } from '../../../src/client/stores/indexeddb-store.js'
import { IDBFactory, installIndexedDbClasses } from './fake-indexeddb.js'
import { indexedDbV3, writeIndexedDbV3 } from './fixtures/indexeddb-v3.js'

installIndexedDbClasses()

const bounds = { maxEvents: 100, maxBytes: 1_000_000 }

afterEach(() => {
  vi.doUnmock('../../../src/client/sending.js')
  vi.resetModules()
})

/** The database's version and its chunks, read with the raw API. */
function readRaw(factory: IDBFactory): Promise<{ version: number; chunks: unknown[] }> {
  return new Promise((resolve, reject) => {
    const request = factory.open(indexedDbV3.name)
    request.onsuccess = () => {
      const db = request.result
      const chunks = db.transaction('chunks').objectStore('chunks').getAll()
      chunks.onsuccess = () => {
        db.close()
        resolve({ version: db.version, chunks: chunks.result })
      }
    }
    request.onerror = () => reject(new Error('reading the database failed'))
  })
}

const openStore = async (factory: IDBFactory): Promise<IndexedDbStore> => {
  const { openIndexedDbStore } = await import('../../../src/client/stores/indexeddb-store.js')
  return openIndexedDbStore({ bounds, indexedDB: factory })
}

describe("an older Tally's queue, migrated by the sender's chunk", () => {
  it('is left as it was while the chunk cannot load, and migrated once it can', async () => {
    const factory = new IDBFactory()
    await writeIndexedDbV3(factory)

    // Offline, or a deploy replaced the chunk: the open fails (the client queues in memory).
    vi.resetModules()
    vi.doMock('../../../src/client/sending.js', () => {
      throw new Error('the chunk could not be fetched')
    })
    await expect(openStore(factory)).rejects.toThrow()
    expect(await readRaw(factory)).toEqual({
      version: indexedDbV3.version,
      chunks: indexedDbV3.chunks,
    })

    vi.doUnmock('../../../src/client/sending.js')
    vi.resetModules()
    const store = await openStore(factory)
    expect(await store.count()).toBe(indexedDbV3.meta.count)
    expect(await store.peek(Infinity, Infinity)).toEqual(
      indexedDbV3.chunks.flatMap(chunk => chunk.events),
    )
    await store.close()
  })

  it('needs no chunk for a new database', async () => {
    vi.resetModules()
    vi.doMock('../../../src/client/sending.js', () => {
      throw new Error('the chunk could not be fetched')
    })
    const store = await openStore(new IDBFactory())
    expect(await store.count()).toBe(0)
    await store.close()
  })
})
