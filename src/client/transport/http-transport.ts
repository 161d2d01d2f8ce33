import ky from 'ky'
import { encodeBatch } from '../../protocol/wire.js'
import { classifyResponse } from './classify.js'
import type { Transport } from './transport.js'

export interface HttpTransportOptions {
  /** The instance backend, e.g. `https://code.example.com`. */
  baseUrl: string
  /** A send that has not answered by then is abandoned and retried later. @default 30000 */
  requestTimeoutMs?: number
}

export const eventsPath = '/.api/telemetry/events'

/** Sends batches to the instance backend with ky; never throws, always classifies. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const url = options.baseUrl.replace(/\/+$/, '') + eventsPath
  const timeout = options.requestTimeoutMs ?? 30_000
  return {
    async send(batch, context) {
      let body: string
      try {
        body = encodeBatch(batch)
      } catch (error) {
        // Validation keeps unencodable events out of the queue; should one slip through,
        // retrying it would block the queue forever.
        return { type: 'rejected', reason: `unencodable batch: ${String(error)}` }
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (context.accessToken !== undefined) headers.authorization = `Bearer ${context.accessToken}`
      try {
        const response = await ky.post(url, {
          body,
          headers,
          timeout,
          // The flusher owns retries: ky's own would hide failures from the backoff.
          retry: 0,
          throwHttpErrors: false,
          credentials: 'include',
          ...(context.signal ? { signal: context.signal } : {}),
        })
        return classifyResponse(
          response.status,
          response.headers.get('retry-after'),
          await response.text(),
          Date.now(),
        )
      } catch (error) {
        return {
          type: 'retryable',
          reason: `network: ${error instanceof Error ? error.message : String(error)}`,
        }
      }
    },
  }
}
