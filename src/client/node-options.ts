import { InvalidOptionsError } from './errors/invalid-options-error.js'
import {
  normalizeOptions,
  type ResolvedTelemetryOptions,
  type TelemetryOptions,
} from './options.js'
import type { EventStore } from './stores/event-store.js'
import { createHttpTransport } from './transport/http-transport.js'
import type { Transport } from './transport/transport.js'

/** Options of the Node `createTelemetry`: those of the browser one, and where the queue lives. */
export type NodeTelemetryOptions = TelemetryOptions &
  (
    | {
        /**
         * The directory of the durable queue (created if missing), shared by every process
         * of the app: one per editor window. An extension passes its global storage folder.
         */
        directory: string
        store?: undefined
      }
    | { store: EventStore; directory?: undefined }
  ) & {
    /**
     * How long the process sending the shared queue holds its lease between renewals: one
     * that dies mid-send keeps the others waiting this long at most (on the same host, they
     * see at once that it is gone). @default 15000
     */
    sendLeaseMs?: number
    /** Wait for each write of the queue to reach the disk (the file store's `sync`). @default true */
    syncWrites?: boolean
  }

/** The Node options with every default applied, checked before any file is touched. */
export type ResolvedNodeTelemetryOptions = ResolvedTelemetryOptions & {
  transport: Transport
  sendLeaseMs: number
  syncWrites: boolean
} & ({ store: EventStore; directory: undefined } | { store: undefined; directory: string })

export const defaultSendLeaseMs = 15_000

/** Resolves and checks every option, throwing {@link InvalidOptionsError} for misuse. */
export function resolveNodeOptions(options: NodeTelemetryOptions): ResolvedNodeTelemetryOptions {
  const resolved = normalizeOptions(options)
  let { transport } = options
  if (!transport) {
    if (options.baseUrl === undefined) {
      throw new InvalidOptionsError('baseUrl', 'is required on Node')
    }
    transport = createHttpTransport({ baseUrl: options.baseUrl })
  }
  const sendLeaseMs = options.sendLeaseMs ?? defaultSendLeaseMs
  if (!Number.isInteger(sendLeaseMs) || sendLeaseMs < 3) {
    throw new InvalidOptionsError('sendLeaseMs', `must be a whole number of at least 3`)
  }
  const common = { ...resolved, transport, sendLeaseMs, syncWrites: options.syncWrites ?? true }
  if (options.store !== undefined) return { ...common, store: options.store, directory: undefined }
  if (typeof (options.directory as unknown) !== 'string') {
    throw new InvalidOptionsError('directory', 'is required on Node unless a store is given')
  }
  return { ...common, store: undefined, directory: options.directory }
}
