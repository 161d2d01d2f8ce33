// What loads with `import()` once the first batch is due, as its own chunk: the sender state
// machine, the HTTP transport (ky and the wire encoding), the cross-tab lock, the read side of
// the IndexedDB queue (idb), which only a sender reads, the migration of an older Tally's
// queue, and the memory store a page falls back on when IndexedDB fails. Recording never
// waits for it: events wait in the store (or the unload spill) until it is there.
export { createSender } from './sender/sender.js'
export { createHttpTransport } from './transport/http-transport.js'
export { browserLock } from './platform/browser-lock.js'
export { indexedDbReadSide } from './stores/indexeddb-read.js'
export { upgradeQueue } from './stores/indexeddb-upgrade.js'
export { createMemoryStore } from './stores/memory-store.js'
