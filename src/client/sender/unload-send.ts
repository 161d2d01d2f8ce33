import type { StoredEvent } from '../stores/event-store.js'
import type { Delivering } from './deliver.js'

/**
 * Browsers cap the bodies of keepalive requests in flight at 64 KiB per page; keep under it
 * with room for headers, since a request past the cap is refused outright.
 */
export const maxKeepaliveBytes = 60 * 1024

/**
 * The send at page unload: `keepalive`, within the browser's budget for such requests, and
 * without waiting for the lock or a scheduled retry. Acknowledgements are applied if the page
 * lives to see them; otherwise the events stay queued for the next load.
 */
export function createUnloadSend({ send, settle }: Pick<Delivering, 'send' | 'settle'>) {
  let keepaliveBytes = 0
  // `visibilitychange` and `pagehide` both fire on the way out: an event already on its way
  // in a keepalive request is not sent again while that request is open.
  const inKeepalive = new Set<string>()
  return (events: readonly StoredEvent[]): void => {
    const batch: StoredEvent[] = []
    let bytes = 0
    for (const entry of events) {
      if (inKeepalive.has(entry.event.id)) continue
      if (keepaliveBytes + bytes + entry.bytes > maxKeepaliveBytes) break
      batch.push(entry)
      bytes += entry.bytes
    }
    if (batch.length === 0) return
    keepaliveBytes += bytes
    for (const entry of batch) inKeepalive.add(entry.event.id)
    void send(batch, undefined, true).then(async result => {
      keepaliveBytes -= bytes
      for (const entry of batch) inKeepalive.delete(entry.event.id)
      if (result.type === 'success') await settle(batch, result).catch(() => {})
    })
  }
}
