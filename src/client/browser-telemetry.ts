import { InvalidOptionsError } from './errors/invalid-options-error.js'
import type { TelemetryOptions } from './options.js'
import { pageOrigin } from './platform/browser.js'
import { createTelemetryClient, type Telemetry } from './telemetry.js'
import { createHttpTransport } from './transport/http-transport.js'

/**
 * Creates the client for a web app or webview: batches go to `baseUrl` (the page's origin by
 * default) over HTTP.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  let { transport } = options
  if (!transport) {
    const baseUrl = options.baseUrl ?? pageOrigin()
    if (baseUrl === undefined) {
      throw new InvalidOptionsError('baseUrl', 'is required outside a web page')
    }
    transport = createHttpTransport({ baseUrl })
  }
  return createTelemetryClient(options, { transport, store: options.store })
}
