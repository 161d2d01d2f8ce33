export type BodyResult =
  { ok: true; text: string } | { ok: false; status: 400 | 413; message: string }

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a request body as UTF-8 text, stopping as soon as it passes `maxBytes` (a declared
 * `Content-Length` is checked first, but not trusted: the stream is counted too).
 */
export async function readBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const tooLarge = {
    ok: false,
    status: 413,
    message: `the body exceeds ${maxBytes} bytes`,
  } as const
  if (declared > maxBytes) return tooLarge
  const bytes = await readAtMost(request.body, maxBytes)
  if (bytes === undefined) return tooLarge
  return utf8Text(bytes)
}

/** The bytes as UTF-8 text; a 400 for bytes that are not UTF-8. */
export function utf8Text(bytes: Uint8Array): BodyResult {
  try {
    return { ok: true, text: decoder.decode(bytes) }
  } catch {
    return { ok: false, status: 400, message: 'the body is not valid UTF-8' }
  }
}

/**
 * The bytes of a stream, read until it ends or passes `maxBytes`; undefined, with the stream
 * cancelled, past the bound, so that no more than `maxBytes` (and one chunk) is ever held.
 */
export async function readAtMost(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
