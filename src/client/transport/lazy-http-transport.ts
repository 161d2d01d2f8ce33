import { fromSendingChunk } from '../sending-chunk.js'
import type { HttpTransportOptions } from './http-transport.js'
import type { Transport } from './transport.js'

/**
 * The HTTP transport of the browser entry: ky and the wire encoding load with the sender's
 * chunk at the first send (the sender loads that chunk itself, so the send does not wait on
 * it), and a page that records nothing never fetches them.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const load = fromSendingChunk(chunk => chunk.createHttpTransport(options))
  return {
    config: context =>
      load().then(
        transport => transport.config?.(context),
        () => undefined,
      ),
    send: (batch, context) =>
      load().then(
        transport => transport.send(batch, context),
        (error: unknown) => ({ type: 'retryable', reason: `network: ${String(error)}` }),
      ),
  }
}
