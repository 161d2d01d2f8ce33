import ky, { type Options } from 'ky'
import { configPath, eventsPath, parseConfig } from '../../protocol/config.js'
import { encodeBatch } from '../../protocol/wire.js'
import { classifyResponse } from './classify.js'
import { gzipBody } from './gzip.js'
import type { SendContext, Transport } from './transport.js'

export interface HttpTransportOptions {
  /** The instance backend, e.g. `https://code.example.com`. */
  baseUrl: string
  /** A request not answered in full by then (headers and body) is abandoned. @default 30000 */
  requestTimeoutMs?: number
}

/** Sends batches to the instance backend with ky; never throws, always classifies. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '')
  const timeoutMs = options.requestTimeoutMs ?? 30_000

  /**
   * One request, read to the end under one deadline. ky's own `timeout` stops at the
   * headers, so a server that stalls mid-body would hang the sender for good.
   */
  const request = async <T>(
    path: string,
    init: Options,
    context: SendContext,
    read: (response: Response) => Promise<T>,
  ): Promise<T> => {
    const deadline = new AbortController()
    const timer = setTimeout(() => {
      deadline.abort(new Error(`no complete answer within ${timeoutMs} ms`))
    }, timeoutMs)
    // Linked by hand: AbortSignal.any is missing before Safari 17.4.
    const { signal } = context
    const forward = () => {
      deadline.abort(signal?.reason)
    }
    if (signal?.aborted) forward()
    // Removed after the request: one signal spans a whole flush, many requests long.
    signal?.addEventListener('abort', forward)
    try {
      const response = await ky(base + path, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          ...(context.accessToken === undefined
            ? {}
            : { authorization: `Bearer ${context.accessToken}` }),
        },
        signal: deadline.signal,
        timeout: false,
        // The sender owns retries: ky's own would hide failures from the backoff.
        retry: 0,
        throwHttpErrors: false,
        credentials: 'include',
      })
      return await read(response)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', forward)
    }
  }

  return {
    async config(context) {
      try {
        return await request(configPath, { method: 'get' }, context, async response =>
          response.ok ? parseConfig(await response.json()) : undefined,
        )
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
      // An unload send goes plain: the page may be gone before compression resolves, and a
      // Content-Encoding header would cost a cross-origin send the preflight text/plain avoids.
      const compressed = context.keepalive ? undefined : await gzipBody(body)
      const init: Options = {
        method: 'post',
        body: compressed ?? body,
        // text/plain is a CORS-safelisted type: an unload send gets no preflight it could not wait for.
        headers: {
          'content-type': context.keepalive ? 'text/plain' : 'application/json',
          ...(compressed ? { 'content-encoding': 'gzip' } : {}),
        },
        keepalive: context.keepalive === true,
      }
      try {
        return await request(eventsPath, init, context, async response =>
          classifyResponse(
            response.status,
            response.headers.get('retry-after'),
            await response.text(),
            Date.now(),
          ),
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
