import { loadDriver } from '../stores/load-driver.js'
import { openPostgresStore } from '../stores/postgres-store.js'
import { cataloguedGatewayStore } from './catalogued-gateway-store.js'
import type { GatewayStore } from './gateway-store.js'
import { instanceSchemaName, maxGatewaySchemaLength } from './instance-names.js'
import { openPostgresGatewayCatalog } from './postgres-gateway-catalog.js'

export interface PostgresGatewayStoreOptions {
  /** `postgres://user:password@host:5432/database` */
  connectionString: string
  /**
   * The gateway's schema (instances and pings); each instance's events go in a schema named
   * after it and this one (`tally_gateway__acme_1f2e…`). Lowercase letters, digits and `_`.
   * @default 'tally_gateway'
   */
  schema?: string
  /** Instance stores (each a small pool) kept open when none is in use. @default 16 */
  maxOpenInstances?: number
  /** Connections each instance store opens at most. @default 2 */
  connectionsPerInstance?: number
}

const schemaPattern = new RegExp(`^[a-z_][a-z0-9_]{0,${maxGatewaySchemaLength - 1}}$`)

/**
 * The gateway's store on PostgreSQL, for a vendor's fleet: the gateway's tables in one schema,
 * each instance's events in a schema of its own, so that the instance store (and its insights)
 * run there unchanged. Several gateway replicas may share the database.
 */
export async function openPostgresGatewayStore({
  connectionString,
  schema = 'tally_gateway',
  maxOpenInstances = 16,
  connectionsPerInstance = 2,
}: PostgresGatewayStoreOptions): Promise<GatewayStore> {
  if (!schemaPattern.test(schema)) {
    throw new RangeError(
      `schema must be lowercase letters, digits and _ (at most ${maxGatewaySchemaLength}), got ${JSON.stringify(schema)}`,
    )
  }
  const { Pool } = loadDriver('pg')
  const pool = new Pool({ connectionString, connectionTimeoutMillis: 10_000, max: 4 })
  // A dropped idle connection is replaced by the next query; without a listener it would crash.
  pool.on('error', () => undefined)
  let catalog
  try {
    catalog = await openPostgresGatewayCatalog(pool, schema)
  } catch (error) {
    await pool.end()
    throw error
  }
  return cataloguedGatewayStore({
    catalog,
    dialect: 'postgres',
    maxOpenInstances,
    async openInstance(instance) {
      const store = openPostgresStore({
        connectionString,
        schema: instanceSchemaName(schema, instance),
        maxConnections: connectionsPerInstance,
      })
      try {
        await store.migrate()
      } catch (error) {
        await store.close()
        throw error
      }
      return store
    },
    onClose: () => pool.end(),
  })
}
