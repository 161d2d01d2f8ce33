import type * as Judging from './judging.js'
import { lazyChunk } from './lazy-chunk.js'

export type Judge = typeof Judging.judge

/** What the judge's chunk gives: the judge, and the reader of spills, which it judges. */
export type JudgeChunk = Pick<typeof Judging, 'judge' | 'readSpilled'>

/**
 * The judge (judging.ts): validation, in a chunk of its own in the browser build, since it is
 * no part of recording. The browser entry asks for it as a client is created, so that it is
 * normally here by the first write; until it is, events wait in memory (and an unload spills
 * scrubbed copies). Once loaded, every client of the page shares it.
 */
const judging = lazyChunk<JudgeChunk>(() => import('./judging.js'))

/**
 * Gives the judge at once, for builds that have no chunk to wait for: the Node entry (editor
 * hosts), whose bundle is one file.
 */
export const provideJudge = judging.provide

/** The judge's chunk if it is here, for the batched step, which cannot wait. */
export const judgeNow = judging.now

/** Loads the judge's chunk once (a failed fetch is tried again later, see lazy-chunk.ts). */
export const loadJudge = judging.load
