// Test doubles for users' tests, after OpenTelemetry's InMemorySpanExporter.
export {
  createTestTransport,
  acceptAll,
  type TestTransport,
  type Answer,
} from './client/transport/test-transport.js'
export { createMemoryStore } from './client/stores/memory-store.js'
