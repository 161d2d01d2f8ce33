import { customRandom, urlAlphabet } from 'nanoid'

/** Random bytes drawn at once; ids take 21 each. */
const poolSize = 4096

let pool = new Uint8Array(0)
let offset = 0

/**
 * nanoid's ids and alphabet, from a pool of random bytes: `crypto.getRandomValues` costs
 * several microseconds a call in Chromium, more than all the rest of `recordEvent`.
 */
export const newId: () => string = customRandom(urlAlphabet, 21, bytes => {
  if (offset + bytes > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(poolSize, bytes)))
    offset = 0
  }
  return pool.subarray(offset, (offset += bytes))
})
