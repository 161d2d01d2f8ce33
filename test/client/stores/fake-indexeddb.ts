import {
  IDBCursor,
  IDBDatabase,
  IDBFactory,
  IDBIndex,
  IDBObjectStore,
  IDBRequest,
  IDBTransaction,
} from 'fake-indexeddb'
import { vi } from 'vitest'

/**
 * idb tells its requests, transactions and cursors apart with `instanceof` the globals, which
 * Node lacks. `indexedDB` itself stays unset: every test passes its own factory, so that the
 * "no IndexedDB" case stays real.
 */
export function installIndexedDbClasses(): void {
  vi.stubGlobal('IDBCursor', IDBCursor)
  vi.stubGlobal('IDBDatabase', IDBDatabase)
  vi.stubGlobal('IDBIndex', IDBIndex)
  vi.stubGlobal('IDBObjectStore', IDBObjectStore)
  vi.stubGlobal('IDBRequest', IDBRequest)
  vi.stubGlobal('IDBTransaction', IDBTransaction)
}

export { IDBFactory }
