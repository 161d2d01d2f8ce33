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
  for (const key of Object.keys(value)) {
    // A key that scrubs to `__proto__` cannot happen with the default rules, but a user rule
    // could make one; defining the property keeps it an own key either way.
    Object.defineProperty(copy, scrub(key), {
      value: scrubJson((value as Record<string, unknown>)[key], scrub, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return copy
}
