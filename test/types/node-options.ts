// What `tally-telemetry/node` accepts: a queue directory or a store, and the real `vscode`
// module and extension context. Checked by `npm run typecheck`.
import type * as vscode from 'vscode'
import { createMemoryStore, createTelemetry, createVSCodeTelemetry } from '../../src/node.js'

const client = { name: 'editor', version: '1.0.0' }

createTelemetry({ client, baseUrl: 'https://code.example.com', directory: '/tmp/queue' })
createTelemetry({
  client,
  baseUrl: 'https://code.example.com',
  store: createMemoryStore({ maxEvents: 10, maxBytes: 10_000 }),
})
// @ts-expect-error -- the durable queue needs a directory (or a store of the caller's)
createTelemetry({ client, baseUrl: 'https://code.example.com' })
// @ts-expect-error -- the directory is a path
createTelemetry({ client, baseUrl: 'https://code.example.com', directory: 42 })

declare const api: typeof vscode
declare const context: vscode.ExtensionContext
const telemetry = createVSCodeTelemetry(api, context, { baseUrl: 'https://code.example.com' })
telemetry.recordEvent('codeintel', 'hovered', { version: 1, metadata: { count: 1 } })
void telemetry.setEnabled(false)
declare const feature: string
// @ts-expect-error -- a feature must be a literal, on Node as in browsers
telemetry.recordEvent(feature, 'hovered')
// @ts-expect-error -- the adapter takes the extension's context, not any object
createVSCodeTelemetry(api, {}, { baseUrl: 'https://code.example.com' })
