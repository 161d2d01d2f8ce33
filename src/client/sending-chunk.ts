import type * as Sending from './sending.js'

/**
 * What `pick` takes from the sender's chunk (sending.ts), the chunk fetched at the first call
 * and the pick kept, so that nothing that needs it afterwards (an unload send, a removal after
 * an acknowledgement) waits on a fetch of code or even a task. A failed fetch (offline, a
 * deploy replaced the chunk) rejects, and the next call tries again.
 */
export function fromSendingChunk<T>(pick: (chunk: typeof Sending) => T): () => Promise<T> {
  let picked: { value: T } | undefined
  return () =>
    picked
      ? Promise.resolve(picked.value)
      : import('./sending.js').then(chunk => (picked ??= { value: pick(chunk) }).value)
}
