import type { Writable } from 'node:stream'

/**
 * A `write` for `dumpEvents` that resolves once the stream has taken the chunk, so that a
 * slow reader holds the dump back, and rejects once the stream has failed: a reader that
 * went away (`tally dump | head`) stops the dump at the next page with EPIPE instead of an
 * unhandled 'error' event.
 */
export function streamWriter(stream: Writable): (chunk: string) => Promise<void> {
  let failure: Error | undefined
  stream.on('error', (error: Error) => {
    failure ??= error
  })
  return chunk =>
    failure
      ? Promise.reject(failure)
      : new Promise((resolve, reject) => {
          stream.write(chunk, error => (error ? reject(error) : resolve()))
        })
}

/** The reader of a pipe closed it before the output was all written. */
export const isBrokenPipe = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE'
