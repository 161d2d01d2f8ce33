import { createTelemetry, type NodeTelemetryOptions } from './node-telemetry.js'
import type { Telemetry } from './telemetry.js'

/**
 * The members of the `vscode` module the adapter uses. Structural, so that the published
 * types need no `@types/vscode`; the real module satisfies it (checked in the tests).
 */
export interface VSCodeApi {
  env: {
    readonly isTelemetryEnabled: boolean
    onDidChangeTelemetryEnabled(listener: (enabled: boolean) => unknown): { dispose(): unknown }
  }
}

/** The members of an `ExtensionContext` the adapter uses. */
export interface VSCodeExtensionContext {
  readonly extension: { readonly packageJSON: unknown }
  readonly globalStorageUri: { readonly fsPath: string }
  readonly subscriptions: { dispose(): unknown }[]
}

/**
 * Options of {@link createVSCodeTelemetry}: those of the Node `createTelemetry`, with the
 * client and the directory taken from the extension unless given.
 */
export type VSCodeTelemetryOptions = Omit<
  NodeTelemetryOptions,
  'client' | 'directory' | 'store'
> & {
  /** @default the extension's `name` and `version` from its package.json */
  client?: { name: string; version?: string }
  /** @default the extension's global storage folder, shared by every window of the editor */
  directory?: string
}

function extensionClient(packageJSON: unknown): { name: string; version?: string } {
  const { name, version } = (packageJSON ?? {}) as { name?: unknown; version?: unknown }
  return {
    name: typeof name === 'string' ? name : 'vscode-extension',
    ...(typeof version === 'string' ? { version } : {}),
  }
}

/**
 * Creates the client for a VS Code extension. It follows the editor's telemetry setting:
 * nothing is recorded while `vscode.env.isTelemetryEnabled` is false, and the queue is
 * emptied when it turns false. It shuts down with the extension (through
 * `context.subscriptions`); return `telemetry.shutdown()` from `deactivate` to give it the
 * editor's few seconds to send what is queued.
 *
 * @param vscode the `vscode` module, passed in so that this package never imports it
 */
export function createVSCodeTelemetry(
  vscode: VSCodeApi,
  context: VSCodeExtensionContext,
  options: VSCodeTelemetryOptions,
): Telemetry {
  const wanted = options.enabled ?? true
  const enabled = wanted && vscode.env.isTelemetryEnabled
  const telemetry = createTelemetry({
    ...options,
    client: options.client ?? extensionClient(context.extension.packageJSON),
    directory: options.directory ?? context.globalStorageUri.fsPath,
    enabled,
  })
  // Events left on disk by an earlier run are the user's too: with telemetry now off, they go.
  if (!enabled) void telemetry.setEnabled(false)
  const listener = vscode.env.onDidChangeTelemetryEnabled(enabled => {
    void telemetry.setEnabled(wanted && enabled)
  })
  context.subscriptions.push({
    dispose() {
      listener.dispose()
      void telemetry.shutdown()
    },
  })
  return telemetry
}
