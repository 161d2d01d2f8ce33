import { StorageError } from './errors/storage-error.js'
import { resolveNodeOptions, type NodeTelemetryOptions } from './node-options.js'
import { leaseLock } from './platform/lease-lock.js'
import { nodePlatform } from './platform/node.js'
import { waitingLock } from './platform/waiting-lock.js'
import { judge } from './judging.js'
import { provideJudge } from './lazy-judge.js'
import { createTelemetryClient, type Telemetry } from './telemetry.js'
import { provideSender } from './sender/lazy-sender.js'
import { createSender } from './sender/sender.js'
import { createFallbackStore } from './stores/fallback-store.js'
import { newLeaseOwner } from './stores/file-lease.js'
import { openFileStore, type FileStore } from './stores/file-store.js'
import { createMemoryStore } from './stores/memory-store.js'

export type { NodeTelemetryOptions } from './node-options.js'

// An editor host loads the package from disk in one file: nothing to gain from a lazy sender.
provideSender({ createSender })
// An editor host has no spill to read back.
provideJudge({ judge, readSpilled: () => [] })

/**
 * Creates the client for an editor extension or another Node process: events wait in files
 * under `directory` (in memory if the directory cannot be used), one process at a time sends
 * them to `baseUrl`, and `shutdown()` sends what it can before the host's deadline (waiting
 * for another process's send to end if need be) and leaves the rest on disk for the next start.
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
  const lock = durable && waitingLock(leaseLock(durable, newLeaseOwner(), sendLeaseMs))
  const telemetry = createTelemetryClient(resolved, {
    transport,
    store:
      resolved.store ??
      (({ bounds, report }) => {
        onSkipped = count => {
          report(new StorageError(`${count} torn or corrupt records of the queue were skipped`))
        }
        const memory = createMemoryStore(bounds)
        return createFallbackStore(
          durable as Promise<FileStore>,
          () => Promise.resolve(memory),
          cause => {
            report(
              new StorageError('Queue directory unusable; queueing in memory', {
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
      const timeoutMs = shutdownOptions.timeoutMs ?? resolved.shutdownTimeoutMs
      lock.waitUntil(Date.now() + timeoutMs, async () => (await (await store).count()) > 0)
    }
    return shutdown(shutdownOptions)
  }
  return telemetry
}
