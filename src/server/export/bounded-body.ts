import { readAtMost } from '../body.js'

/** A body cut off at its bound: the rest was never read, let alone inflated. */
export type BoundedBody = { type: 'read'; text: string } | { type: 'too-large' }

/**
 * Reads a response body as text, at most `maxBytes` of it after decoding (fetch inflates gzip
 * and brotli as it streams, so the bound applies to the inflated bytes): a hostile or broken
 * peer answering a small compressed body that inflates to hundreds of megabytes costs the
 * process `maxBytes` and a cancelled stream, never the whole.
 */
export async function readBounded(response: Response, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(response.headers.get('content-length'))
  // Content-Length counts the encoded bytes: only an identity body is refused by it up front.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity'
  if (!encoded && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel()
    return { type: 'too-large' }
  }
  const bytes = await readAtMost(response.body, maxBytes)
  return bytes === undefined
    ? { type: 'too-large' }
    : { type: 'read', text: new TextDecoder().decode(bytes) }
}
