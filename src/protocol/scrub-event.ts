import type { Scrubber } from './scrub.js'

/** Deeper than validation allows; past it the value is left for validation to refuse. */
const maxDepth = 16

/**
 * Returns a copy of a privateMetadata value with every string, keys included, scrubbed.
 * Values that are not JSON are copied as they are, for validation to refuse with a reason.
 */
export function scrubJson(value: unknown, scrub: Scrubber, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value)
  if (typeof value !== 'object' || value === null || depth > maxDepth) return value
  if (Array.isArray(value)) return value.map(item => scrubJson(item, scrub, depth + 1))
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return value
  const copy: Record<string, unknown> = {}
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const scrubbedKey = scrub(key)
    const item = scrubJson((value as Record<string, unknown>)[key], scrub, depth + 1)
    // Assigning `__proto__` would set the prototype instead of a key (a user rule could
    // produce one); defining it keeps it an own key, for validation to refuse.
    if (scrubbedKey === '__proto__') {
      Object.defineProperty(copy, scrubbedKey, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else {
      copy[scrubbedKey] = item
    }
  }
  return copy
}
