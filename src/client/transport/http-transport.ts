import ky from 'ky'
import { configPath, eventsPath, parseConfig } from '../../protocol/config.js'
import { encodeBatch } from '../../protocol/wire.js'
import { classifyResponse } from './classify.js'
import type { SendContext, Transport } from './transport.js'

export interface HttpTransportOptions {
  /** The instance backend, e.g. `https://code.example.com`. */
  baseUrl: string
  /** A send that has not answered by then is abandoned and retried later. @default 30000 */
  requestTimeoutMs?: number
}

/** Sends batches to the instance backend with ky; never throws, always classifies. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '')
  const timeout = options.requestTimeoutMs ?? 30_000
  const authorization = (context: SendContext): Record<string, string> =>
    context.accessToken === undefined ? {} : { authorization: `Bearer ${context.accessToken}` }
  return {
    async config(context) {
      try {
        const response = await ky.get(base + configPath, {
          headers: authorization(context),
          timeout,
          retry: 0,
          credentials: 'include',
          ...(context.signal ? { signal: context.signal } : {}),
        })
        return parseConfig(await response.json())
      } catch {
        return undefined
      }
    },
    async send(batch, context) {
      let body: string
      try {
        body = encodeBatch(batch)
      } catch (error) {
        // Validation keeps unencodable events out of the queue; should one slip through,
        // retrying it would block the queue forever.
        return { type: 'rejected', reason: `unencodable batch: ${String(error)}` }
      }
      const headers = {
        // text/plain is a CORS-safelisted type: an unload send gets no preflight it could not wait for.
        'content-type': context.keepalive ? 'text/plain' : 'application/json',
        ...authorization(context),
      }
      try {
        const response = await ky.post(base + eventsPath, {
          body,
          headers,
          timeout,
          // The flusher owns retries: ky's own would hide failures from the backoff.
          retry: 0,
          throwHttpErrors: false,
          credentials: 'include',
          keepalive: context.keepalive === true,
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
