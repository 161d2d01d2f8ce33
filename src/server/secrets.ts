import { createHash, timingSafeEqual } from 'node:crypto'

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header)
  return match?.[1]
}

/**
 * Compares a secret in constant time. Both sides are hashed first, so neither the content nor
 * the length of the expected secret leaks through timing.
 */
export function sameSecret(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined || given === undefined || expected.length === 0) return false
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(expected), digest(given))
}
