export interface RetentionPolicy {
  /** Exported (or refused) rows received before this are deleted. */
  exportedBefore: Date
  /** Unexported rows received before this are deleted (and counted). */
  unexportedBefore: Date
  /** At most this many unexported rows are kept; the oldest beyond are deleted. */
  maxUnexported: number
}

/** Rows deleted by each rule of one `prune`. */
export interface PruneResult {
  exported: number
  unexported: number
}

/** How stored events age out. */
export interface RetentionStore {
  /** Applies retention; resolves with the rows deleted by each rule. */
  prune(policy: RetentionPolicy): Promise<PruneResult>
}
