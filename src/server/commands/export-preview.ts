import { parseAllowlist } from '../../protocol/export-redaction.js'
import type { Ping } from '../../protocol/ping.js'
import { createExportWorker, type ExportPreviewItem } from '../export/export-worker.js'
import { createPingWorker } from '../pings/ping-worker.js'
import { openStore, parseExportMode, parsePairs, type StorageOptions } from './options.js'

export interface ExportPreviewOptions extends StorageOptions {
  exportMode: string
  allowlist: readonly string[]
  limit: number
  /** `ID=KEY` as `tally serve` takes it: the pings name the instance, so they need its id. */
  instanceKey?: string | undefined
}

export interface ExportPreview {
  /** The events of the next export, as they leave. */
  events: ExportPreviewItem[]
  /**
   * The daily pings the next ping run sends, oldest first, each exactly as it leaves; empty in
   * `off` mode and without an instance id.
   */
  pings: Ping[]
}

// The preview never sends: any loopback address satisfies the workers' URL checks.
const nowhere = 'http://127.0.0.1:9'

/** `tally export --preview`: exactly what the next export and ping runs would send, claiming nothing. */
export async function exportPreview(options: ExportPreviewOptions): Promise<ExportPreview> {
  const mode = parseExportMode(options.exportMode)
  const instance =
    options.instanceKey === undefined
      ? undefined
      : [...parsePairs([options.instanceKey], '--instance-key', 'default')][0]
  const store = await openStore(options)
  try {
    const worker = createExportWorker({
      store,
      mode,
      allowlist: parseAllowlist(options.allowlist),
      gatewayUrl: nowhere,
      instanceId: 'preview',
      instanceKey: 'preview',
    })
    const pings =
      instance === undefined || store.insights === undefined
        ? undefined
        : createPingWorker({
            store,
            mode,
            gatewayUrl: nowhere,
            instanceId: instance[0],
            instanceKey: instance[1],
          })
    const [events, pending] = await Promise.all([
      worker.preview(options.limit),
      pings ? pings.pending() : [],
    ])
    return { events, pings: pending.map(item => item.ping) }
  } finally {
    await store.close()
  }
}
