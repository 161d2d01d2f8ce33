import { InvalidOptionsError } from './errors/invalid-options-error.js'
import { StorageError } from './errors/storage-error.js'
import { defaults, type TelemetryOptions } from './options.js'
import { leaseLock } from './platform/lease-lock.js'
import { nodePlatform } from './platform/node.js'
import { waitingLock } from './platform/waiting-lock.js'
import { createTelemetryClient, type Telemetry } from './telemetry.js'
import type { EventStore } from './stores/event-store.js'
import { createFallbackStore } from './stores/fallback-store.js'
import { newLeaseOwner } from './stores/file-lease.js'
import { openFileStore, type FileStore } from './stores/file-store.js'
import { createMemoryStore } from './stores/memory-store.js'
import { createHttpTransport } from './transport/http-transport.js'

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

/**
 * Creates the client for an editor extension or another Node process: events wait in files
 * under `directory` (in memory if the directory cannot be used), one process at a time sends
 * them to `baseUrl`, and `shutdown()` sends what it can before the host's deadline (waiting
 * for another process's send to end if need be) and leaves the rest on disk for the next start.
 */
export function createTelemetry(options: NodeTelemetryOptions): Telemetry {
  let { transport } = options
  if (!transport) {
    if (options.baseUrl === undefined) {
      throw new InvalidOptionsError('baseUrl', 'is required on Node')
    }
    transport = createHttpTransport({ baseUrl: options.baseUrl })
  }
  if (options.store === undefined && typeof (options.directory as unknown) !== 'string') {
    throw new InvalidOptionsError('directory', 'is required on Node unless a store is given')
  }
  const sendLeaseMs = options.sendLeaseMs ?? 15_000
  if (!Number.isInteger(sendLeaseMs) || sendLeaseMs < 3) {
    throw new InvalidOptionsError('sendLeaseMs', `must be a whole number of at least 3`)
  }
  let onSkipped = (_count: number) => {}
  let durable: Promise<FileStore> | undefined
  if (options.store === undefined) {
    durable = openFileStore({
      directory: options.directory,
      bounds: {
        maxEvents: options.maxQueueEvents ?? defaults.maxQueueEvents,
        maxBytes: options.maxQueueBytes ?? defaults.maxQueueBytes,
      },
      sync: options.syncWrites ?? true,
      onSkipped: count => onSkipped(count),
    })
    // A failed open is handled by the fallback store, not here.
    durable.catch(() => {})
  }
  const lock = durable && waitingLock(leaseLock(durable, newLeaseOwner(), sendLeaseMs))
  const telemetry = createTelemetryClient(options, {
    transport,
    store:
      options.store ??
      (({ bounds, report }) => {
        onSkipped = count => {
          report(new StorageError(`${count} torn or corrupt records of the queue were skipped`))
        }
        return createFallbackStore(
          durable as Promise<FileStore>,
          createMemoryStore(bounds),
          cause => {
            report(
              new StorageError('The queue directory is unusable; events are queued in memory', {
                cause,
              }),
            )
          },
        )
      }),
    platform: nodePlatform(lock),
  })
  if (!lock || !durable) return telemetry
  const store = durable
  // A process about to exit has no later flush: what it queued goes with the sender holding
  // the lease, or with itself once that sender lets go, if either happens before the deadline.
  const shutdown = telemetry.shutdown.bind(telemetry)
  let shutDown = false
  telemetry.shutdown = (shutdownOptions = {}) => {
    if (!shutDown) {
      shutDown = true
      const timeoutMs =
        shutdownOptions.timeoutMs ?? options.shutdownTimeoutMs ?? defaults.shutdownTimeoutMs
      lock.waitUntil(Date.now() + timeoutMs, async () => (await (await store).count()) > 0)
    }
    return shutdown(shutdownOptions)
  }
  return telemetry
}
