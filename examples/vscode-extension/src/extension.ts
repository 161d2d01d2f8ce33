import * as vscode from 'vscode'
import { createVSCodeTelemetry, type Telemetry } from 'tally-telemetry/node'

let telemetry: Telemetry | undefined

export function activate(context: vscode.ExtensionContext): void {
  // The client follows the editor's telemetry setting, queues in the extension's global
  // storage (shared by every window) and shuts down with the extension.
  telemetry = createVSCodeTelemetry(vscode, context, {
    baseUrl: vscode.workspace
      .getConfiguration('tallyExample')
      .get('instanceUrl', 'http://127.0.0.1:3080'),
  })
  context.subscriptions.push(
    vscode.commands.registerCommand('tallyExample.countLines', () => {
      const lines = vscode.window.activeTextEditor?.document.lineCount ?? 0
      // Numbers only in metadata: a file's name or text never leaves the editor this way.
      telemetry?.recordEvent('example.lines', 'counted', { version: 1, metadata: { lines } })
      void vscode.window.showInformationMessage(`${lines} lines`)
    }),
  )
}

/** VS Code waits for this promise (a few seconds at most) before it stops the extension. */
export function deactivate(): Promise<void> | undefined {
  return telemetry?.shutdown({ timeoutMs: 4_000 })
}
