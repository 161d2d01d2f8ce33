import { parseAllowlist } from '../../protocol/export-redaction.js'
import { createExportWorker, type ExportPreviewItem } from '../export/export-worker.js'
import { openStore, parseExportMode, type StorageOptions } from './options.js'

export interface ExportPreviewOptions extends StorageOptions {
  exportMode: string
  allowlist: readonly string[]
  limit: number
}

/** `tally export --preview`: exactly what the next export would send, claiming nothing. */
export async function exportPreview(options: ExportPreviewOptions): Promise<ExportPreviewItem[]> {
  const store = await openStore(options)
  try {
    const worker = createExportWorker({
      store,
      mode: parseExportMode(options.exportMode),
      allowlist: parseAllowlist(options.allowlist),
      // The preview never sends: any loopback address satisfies the worker's URL check.
      gatewayUrl: 'http://127.0.0.1:9',
      instanceId: 'preview',
      instanceKey: 'preview',
    })
    return await worker.preview(options.limit)
  } finally {
    await store.close()
  }
}
