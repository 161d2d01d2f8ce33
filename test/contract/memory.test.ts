import {
  createMemoryDatabase,
  createMemoryServerEventStore,
  type MemoryDatabase,
} from '../server/memory-server-event-store.js'
import { describeStoreContract } from './server-event-store.contract.js'

// One database per test, shared by the stores the test opens (as connections share a file),
// and dropped after the test.
let database: MemoryDatabase | undefined

describeStoreContract(
  'Memory (test double)',
  async () => createMemoryServerEventStore(Date.now, (database ??= createMemoryDatabase())),
  async () => {
    database = undefined
  },
)
