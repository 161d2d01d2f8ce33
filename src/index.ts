// The browser and webview entry point. Explicit exports only: what is listed here is the
// public surface, and everything else is free to change.
export { createTelemetry } from './client/browser-telemetry.js'
export type { Telemetry } from './client/telemetry.js'
export type { TelemetryOptions } from './client/options.js'
export type { TelemetryStats, StorageKind } from './client/stats.js'
export type { KnownString, KnownMetadata, RecordParameters } from './client/known.js'
export type { EventProcessor } from './client/processors.js'
export type {
  EventStore,
  StoredEvent,
  AppendResult,
  StoreBounds,
} from './client/stores/event-store.js'
export { createMemoryStore } from './client/stores/memory-store.js'
export {
  openIndexedDbStore,
  type IndexedDbStore,
  type IndexedDbStoreOptions,
} from './client/stores/indexeddb-store.js'
export type {
  Transport,
  SendResult,
  SendContext,
  RejectedEvent,
} from './client/transport/transport.js'
// Lazy: ky and the wire encoding load with the sender's chunk, not with the page.
export { createHttpTransport } from './client/transport/lazy-http-transport.js'
export type { HttpTransportOptions } from './client/transport/http-transport.js'
export { TallyError, isTallyError, type TallyErrorCode } from './client/errors/tally-error.js'
export { InvalidOptionsError } from './client/errors/invalid-options-error.js'
export { InvalidEventError } from './client/errors/invalid-event-error.js'
export { EventsDroppedError, type DropReason } from './client/errors/events-dropped-error.js'
export { DeliveryError } from './client/errors/delivery-error.js'
export { StorageError } from './client/errors/storage-error.js'
export { ProcessorError } from './client/errors/processor-error.js'
export {
  redactable,
  safe,
  renderRedacted,
  type RedactableString,
  type SafeValue,
} from './protocol/redactable.js'
export { defaultScrubRules, type ScrubRule } from './protocol/scrub-rules.js'
export { createScrubber, type Scrubber } from './protocol/scrub.js'
export type {
  TelemetryEvent,
  TelemetryEventParameters,
  TelemetryEventSource,
  BillingMetadata,
  EventBatch,
  JsonValue,
} from './protocol/event.js'
export type { ValidationProblem } from './protocol/validate.js'
