import { StorageError } from './errors/storage-error.js'
import { resolveNodeOptions, type NodeTelemetryOptions } from './node-options.js'
import { nodePlatform } from './platform/node.js'
import { createTelemetryClient, type Telemetry } from './telemetry.js'
import { createFallbackStore } from './stores/fallback-store.js'
import { openFileStore, type FileStore } from './stores/file-store.js'
import { createMemoryStore } from './stores/memory-store.js'

export type { NodeTelemetryOptions } from './node-options.js'

/**
 * Creates the client for an editor extension or another Node process: events wait in files
 * under `directory` (in memory if the directory cannot be used), one process at a time sends
 * them to `baseUrl`, and `shutdown()` sends what it can before the host's deadline and leaves
 * the rest on disk for the next start.
 */
export function createTelemetry(options: NodeTelemetryOptions): Telemetry {
  // Every option is checked before the directory is created or opened.
  const resolved = resolveNodeOptions(options)
  const { transport, sendLeaseMs } = resolved
  let onSkipped = (_count: number) => {}
  let durable: Promise<FileStore> | undefined
  if (resolved.store === undefined) {
    durable = openFileStore({
      directory: resolved.directory,
      bounds: { maxEvents: resolved.maxQueueEvents, maxBytes: resolved.maxQueueBytes },
      sync: resolved.syncWrites,
      onSkipped: count => onSkipped(count),
    })
    // A failed open is handled by the fallback store, not here.
    durable.catch(() => {})
  }
  return createTelemetryClient(resolved, {
    transport,
    store:
      resolved.store ??
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
    platform: nodePlatform(durable, sendLeaseMs),
  })
}
