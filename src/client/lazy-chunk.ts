import { firstRetryMs, nextRetryMs } from './retry-wait.js'

/** A chunk of code loaded with `import()` once, then kept: see `lazyChunk`. */
export interface LazyChunk<T> {
  /** What the chunk gave, once it is here. */
  now: () => T | undefined
  /** Gives it at once, for builds that inline the chunk and have nothing to wait for. */
  provide: (value: T) => void
  /** Resolves with what the chunk gives, fetching it if no fetch is under way. */
  load: () => Promise<T>
}

/**
 * Loads a chunk with `fetch` (an `import()`) once and keeps what it gives, so that nothing
 * needing it afterwards waits on a fetch of code. A failed fetch (offline, or a deploy removed
 * the chunk from under a page left open) rejects, and a later `load` tries again, but not
 * before a wait that doubles from 1 s to 5 min: a page that records on while its chunk is gone
 * does not ask for it again at every write. Until then `load` rejects at once.
 */
export function lazyChunk<T>(fetch: () => Promise<T>): LazyChunk<T> {
  let loaded: { value: T } | undefined
  let loading: Promise<T> | undefined
  let retryAt = 0
  let retryMs = firstRetryMs
  return {
    now: () => loaded?.value,
    provide: value => {
      loaded = { value }
    },
    load: () => {
      if (loaded) return Promise.resolve(loaded.value)
      if (loading) return loading
      const left = retryAt - Date.now()
      if (left > 0) return Promise.reject(new Error(`chunk not loaded; next try in ${left} ms`))
      return (loading = fetch().then(
        value => {
          loaded = { value }
          return value
        },
        (error: unknown) => {
          loading = undefined
          retryAt = Date.now() + retryMs
          retryMs = nextRetryMs(retryMs)
          throw error
        },
      ))
    },
  }
}
