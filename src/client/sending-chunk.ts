import { lazyChunk } from './lazy-chunk.js'
import type * as Sending from './sending.js'

/** The sender's chunk (sending.ts) for what the entry takes from it beside the sender. */
const sending = lazyChunk(() => import('./sending.js'))

/**
 * What `pick` takes from the sender's chunk, the chunk fetched at the first call and the pick
 * kept, so that nothing that needs it afterwards (an unload send, a removal after an
 * acknowledgement) waits on a fetch of code or even a task. A failed fetch (offline, a deploy
 * replaced the chunk) rejects, and a later call tries again (see lazy-chunk.ts).
 */
export function fromSendingChunk<T>(pick: (chunk: typeof Sending) => T): () => Promise<T> {
  let picked: { value: T } | undefined
  return () =>
    picked
      ? Promise.resolve(picked.value)
      : sending.load().then(chunk => (picked ??= { value: pick(chunk) }).value)
}
