import { wrap, type DBSchema, type IDBPDatabase } from 'idb'

/** The single sender's claim, kept in the `meta` object store under the key `claim`. */
interface Claim {
  owner: string
  /** Epoch ms. */
  expires: number
}

interface LeaseSchema extends DBSchema {
  meta: { key: 'claim'; value: Claim }
}

/** The cross-tab lease on the single sender, for browsers without Web Locks. */
export interface IndexedDbLease {
  /**
   * Leased claim for the single sender across tabs where Web Locks are missing: true if
   * `owner` now holds the claim (free, expired, or already its own — renewing it for
   * `leaseMs`). Atomic in one readwrite transaction.
   */
  claim(owner: string, leaseMs: number, now: number): Promise<boolean>
  /** Gives the claim up if `owner` holds it. */
  release(owner: string): Promise<void>
}

/** The lease in the queue's own database, beside the totals in `meta`. */
export function indexedDbLease(connection: IDBDatabase): IndexedDbLease {
  const db = wrap(connection) as unknown as IDBPDatabase<LeaseSchema>
  return {
    async claim(owner, leaseMs, now) {
      const tx = db.transaction('meta', 'readwrite')
      const held = await tx.store.get('claim')
      const free = !held || held.owner === owner || held.expires <= now
      if (free) await tx.store.put({ owner, expires: now + leaseMs }, 'claim')
      await tx.done
      return free
    },
    async release(owner) {
      const tx = db.transaction('meta', 'readwrite')
      if ((await tx.store.get('claim'))?.owner === owner) await tx.store.delete('claim')
      await tx.done
    },
  }
}
