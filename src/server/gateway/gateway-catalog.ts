import type { GatewayPingStore } from './gateway-ping-store.js'

/**
 * The gateway's own tables, beside the instance stores: the instances it has heard from and
 * their pings (SQLite: `gateway.db`; PostgreSQL: the gateway's schema).
 */
export interface GatewayCatalog extends GatewayPingStore {
  /** Records that the instance sent something; idempotent. */
  addInstance(instance: string, at: Date): Promise<void>
  hasInstance(instance: string): Promise<boolean>
  /** Every instance recorded, sorted. */
  instances(): Promise<string[]>
  close(): Promise<void>
}
