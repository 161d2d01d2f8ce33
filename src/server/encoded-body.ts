import { readAtMost, readBody, utf8Text, type BodyResult } from './body.js'

export type EncodedBodyResult = BodyResult | { ok: false; status: 415; message: string }

/**
 * The content codings a body may come in. `x-gzip` is gzip by RFC 9110 §8.4.1.3; a list of
 * codings (`gzip, gzip`) is refused, since no client of ours sends one and each layer would
 * multiply what a small body can expand to.
 */
const codings = new Map([
  ['', 'identity'],
  ['identity', 'identity'],
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
] as const)

/** Sent with a 415 for an unknown coding, as RFC 7694 asks. */
export const acceptedEncodings = 'gzip, identity'

/**
 * Reads a request body as UTF-8 text, gunzipping it when it comes with
 * `Content-Encoding: gzip`, under one bound for both: `maxBytes` of the body as sent and
 * `maxBytes` once decompressed. Decompression runs as a stream that is cancelled as soon as it
 * passes the bound, so a decompression bomb (a gigabyte of zeros in a megabyte) costs a 413
 * after at most `maxBytes` of output and never more memory than that. Any other coding is a
 * 415 whose message names what is accepted.
 */
export async function readEncodedBody(
  request: Request,
  maxBytes: number,
): Promise<EncodedBodyResult> {
  const header = request.headers.get('content-encoding') ?? ''
  const coding = codings.get(header.trim().toLowerCase() as never)
  if (coding === undefined) {
    return {
      ok: false,
      status: 415,
      message: `Content-Encoding ${JSON.stringify(header.slice(0, 40))} is not supported: send gzip or identity`,
    }
  }
  if (coding === 'identity') return readBody(request, maxBytes)

  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const compressed = declared > maxBytes ? undefined : await readAtMost(request.body, maxBytes)
  if (compressed === undefined) {
    return { ok: false, status: 413, message: `the body exceeds ${maxBytes} bytes` }
  }
  const inflated = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('gzip'))
  let bytes: Uint8Array | undefined
  try {
    bytes = await readAtMost(inflated, maxBytes)
  } catch {
    return { ok: false, status: 400, message: 'the body is not valid gzip' }
  }
  if (bytes === undefined) {
    return { ok: false, status: 413, message: `the body exceeds ${maxBytes} bytes decompressed` }
  }
  return utf8Text(bytes)
}
