// What loads with `import()` once the first batch is due, as its own chunk: the sender state
// machine and the HTTP transport, with ky and superjson. Recording never waits for it: events
// wait in the store (or the unload spill) until it is there.
export { createSender } from './sender/sender.js'
export { createHttpTransport } from './transport/http-transport.js'
