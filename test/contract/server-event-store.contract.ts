import { afterEach, describe } from 'vitest'
import type { ServerEventStore } from '../../src/server/stores/server-event-store.js'
import { describeExportQueueContract } from './export-queue.contract.js'
import type { ContractStores } from './fixtures.js'
import { describeIngestContract } from './ingest.contract.js'
import { describeLifecycleContract } from './lifecycle.contract.js'
import { describePingLogContract } from './ping-log.contract.js'
import { describeRetentionContract } from './retention.contract.js'

/**
 * The behaviour every `ServerEventStore` promises, one suite per role. `open` opens a store,
 * not yet migrated, on the current test's database (each call a new connection or pool on the
 * same database); `cleanup` removes that database after each test, once its stores are closed.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<ServerEventStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`${name} store contract`, () => {
    const opened: ServerEventStore[] = []
    afterEach(async () => {
      await Promise.all(opened.splice(0).map(store => store.close()))
      await cleanup()
    })

    const openStore = async () => {
      const store = await open()
      opened.push(store)
      return store
    }
    const stores: ContractStores = {
      openStore,
      fresh: async () => {
        const store = await openStore()
        await store.migrate()
        return store
      },
    }

    describeLifecycleContract(stores)
    describeIngestContract(stores)
    describeExportQueueContract(stores)
    describeRetentionContract(stores)
    describePingLogContract(stores)
  })
}
