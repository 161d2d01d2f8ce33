// What the benchmark's pages import from the built package: the client and its store.
export { createTelemetry, openIndexedDbStore } from '../../dist/index.js'
