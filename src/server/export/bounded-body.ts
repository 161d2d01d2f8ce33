/** A body cut off at its bound: the rest was never read, let alone inflated. */
export type BoundedBody = { type: 'read'; text: string } | { type: 'too-large'; readBytes: number }

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
    return { type: 'too-large', readBytes: 0 }
  }
  if (response.body === null) return { type: 'read', text: '' }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let readBytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    readBytes += value.byteLength
    if (readBytes > maxBytes) {
      await reader.cancel()
      return { type: 'too-large', readBytes }
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(readBytes)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { type: 'read', text: new TextDecoder().decode(bytes) }
}
