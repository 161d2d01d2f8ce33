import type { TelemetryParts } from '../../src/client/telemetry.js'
import { createMemoryStore } from '../../src/client/stores/memory-store.js'

/** The queue of a test client whose store is not the point: memory, with the client's bounds. */
export const memoryQueue: TelemetryParts['store'] = ({ bounds }) => createMemoryStore(bounds)
