import { join } from 'node:path'
import { openSqliteStore } from '../stores/sqlite-store.js'
import { cataloguedGatewayStore } from './catalogued-gateway-store.js'
import type { GatewayStore } from './gateway-store.js'
import { instanceFileName } from './instance-names.js'
import { openSqliteGatewayCatalog } from './sqlite-gateway-catalog.js'

export interface SqliteGatewayStoreOptions {
  /**
   * The gateway's folder, created 0700 if missing: `gateway.db` (instances and pings) and
   * `instances/`, one database per instance, each file 0600.
   */
  dataDir: string
  /** Instance databases kept open when none is in use. @default 64 */
  maxOpenInstances?: number
  /** Runs once the store has closed (a temporary store removes its folder). */
  onClose?: () => Promise<void>
}

/** The gateway's embedded store: SQLite files in one folder. */
export async function openSqliteGatewayStore(
  options: SqliteGatewayStoreOptions,
): Promise<GatewayStore> {
  const catalog = openSqliteGatewayCatalog(join(options.dataDir, 'gateway.db'))
  return cataloguedGatewayStore({
    catalog,
    dialect: 'sqlite',
    maxOpenInstances: options.maxOpenInstances ?? 64,
    async openInstance(instance) {
      const store = openSqliteStore({
        path: join(options.dataDir, 'instances', instanceFileName(instance)),
      })
      try {
        await store.migrate()
      } catch (error) {
        await store.close()
        throw error
      }
      return store
    },
    ...(options.onClose ? { onClose: options.onClose } : {}),
  })
}
