import type * as Judging from './judging.js'

export type Judge = typeof Judging.judge

/**
 * The judge (judging.ts): validation, in a chunk of its own in the browser build, since it is
 * no part of recording. The browser entry asks for it as a client is created, so that it is
 * normally here by the first write; until it is, events wait in memory (and an unload spills
 * scrubbed copies). Once loaded, every client of the page shares it.
 */
let loaded: Judge | undefined
let loading: Promise<Judge> | undefined

/**
 * Gives the judge at once, for builds that have no chunk to wait for: the Node entry (editor
 * hosts), whose bundle is one file.
 */
export function provideJudge(judge: Judge): void {
  loaded = judge
}

/** The judge if its chunk is here, for the batched step, which cannot wait. */
export const judgeNow = (): Judge | undefined => loaded

/**
 * Loads the chunk for the judge once; a failed fetch (offline, a deploy replaced the chunk)
 * rejects, and the next write tries again.
 */
export function loadJudge(): Promise<Judge> {
  if (loaded) return Promise.resolve(loaded)
  return (loading ??= import('./judging.js').then(
    ({ judge }) => (loaded = judge),
    (error: unknown) => {
      loading = undefined
      throw error
    },
  ))
}
