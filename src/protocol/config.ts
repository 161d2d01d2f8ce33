export type ExportMode = 'redact' | 'full' | 'off'

/** `GET /.api/telemetry/config`: the backend's capabilities, so that clients never sniff versions. */
export interface TelemetryConfig {
  /** False on instances that turned telemetry off: clients stop recording and empty their queue. */
  enabled: boolean
  maxBatchEvents: number
  maxBatchBytes: number
  exportMode: ExportMode
}

export const configPath = '/.api/telemetry/config'
export const eventsPath = '/.api/telemetry/events'

/** Reads a config answer, or undefined when it is not one (an old or foreign backend). */
export function parseConfig(value: unknown): TelemetryConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { enabled, maxBatchEvents, maxBatchBytes, exportMode } = value as Record<string, unknown>
  if (typeof enabled !== 'boolean') return undefined
  const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0
  if (!positive(maxBatchEvents) || !positive(maxBatchBytes)) return undefined
  if (exportMode !== 'redact' && exportMode !== 'full' && exportMode !== 'off') return undefined
  return {
    enabled,
    maxBatchEvents: maxBatchEvents as number,
    maxBatchBytes: maxBatchBytes as number,
    exportMode,
  }
}
