/** Which implementation a store is: `memory` is for test doubles and throwaway instances. */
export type StoreKind = 'sqlite' | 'postgres' | 'memory'

/** Opening is the factory's job (`openSqliteStore`, `openPostgresStore`); the rest is here. */
export interface StoreLifecycle {
  readonly kind: StoreKind
  /** Creates or upgrades the schema; idempotent, safe to run from several replicas at once. */
  migrate(): Promise<void>
  /** Idempotent. */
  close(): Promise<void>
}
