/**
 * Below this many bytes gzip saves less than its own header and the server's work costs:
 * a batch of one or two events goes as it is.
 */
export const minCompressedBytes = 1024

/**
 * The body gzipped with the platform's `CompressionStream`, or undefined where there is none
 * (Safari before 16.4, old webviews), where it fails, or where gzip would not make it
 * smaller: the caller then sends the text as it is, which the backend accepts alike.
 */
export async function gzipBody(text: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (text.length < minCompressedBytes || typeof CompressionStream !== 'function') return undefined
  try {
    const plain = new TextEncoder().encode(text)
    const gzip = new CompressionStream('gzip')
    // Written to the stream rather than read from a Blob: Chromium registers every Blob with
    // the browser process, a synchronous round trip that cost more than the compression.
    // A failure surfaces in the read below; these rejections would only repeat it.
    const writer = gzip.writable.getWriter()
    writer.write(plain).catch(() => {})
    writer.close().catch(() => {})
    const compressed = new Uint8Array(await new Response(gzip.readable).arrayBuffer())
    return compressed.byteLength < plain.byteLength ? compressed : undefined
  } catch {
    return undefined
  }
}
