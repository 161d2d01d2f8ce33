import { CLOSE_MARKER, OPEN_MARKER, escapeMarkers } from './markers.js'
import { defaultScrubRules, minDefaultMatchLength, type ScrubRule } from './scrub-rules.js'

/** Replaces every secret a rule finds in `value`; returns `value` itself when there is none. */
export type Scrubber = (value: string) => string

/**
 * What a segment becomes when scrubbing it throws: a user replacer that throws, a result past
 * the maximum string length, a regex out of backtracking stack. Failing closed keeps the
 * secret in; failing open would ship it.
 */
const unscrubbable = '[redacted:unscrubbable]'

/**
 * Rounds of all rules per segment. The default rules settle within two (the property test
 * checks); a user rule whose replacement matches itself again stops here, every secret of the
 * input still replaced once.
 */
const maxRounds = 4

/**
 * Strings this short are remembered, at most this many; a full memo starts again empty, since
 * dropping the oldest one at a time costs a Map iterator per new string, past every entry
 * deleted before it, and a value that repeats comes back after one scan.
 */
const maxMemoLength = 128
const maxMemoEntries = 512

const markerSplit = /([\u2039\u203a])/
const markerChars = /[\u2039\u203a]/

// g, y and d change how matches are reported, not what matches, so the detector leaves them out.
const reportingFlags = /[gyd]/g

const defaultRules: ReadonlySet<ScrubRule> = new Set(defaultScrubRules)

/**
 * Builds a scrubber from rules (callers pass [...defaultScrubRules, ...userRules]). Throws a
 * TypeError at once for a rule without the global flag.
 *
 * A string with markers (‹ ›) is scrubbed one segment at a time, so no match spans a marker and
 * the markers come out exactly as they went in.
 */
export function createScrubber(rules: readonly ScrubRule[]): Scrubber {
  const steps = rules.map(toStep)
  const detect = createDetector(steps)
  // A user rule may match a single character, so the length shortcut holds for defaults only.
  const minLength = rules.every(rule => defaultRules.has(rule)) ? minDefaultMatchLength : 0

  const scrubSegment = (segment: string): string => {
    if (segment.length < minLength) return segment
    try {
      if (!detect(segment)) return segment
      let out = segment
      // A replacement can complete a match for an earlier rule (`Bearer C:\Users\…` is a bearer
      // token only once home-path has made it `~/…`), so the rules run again until nothing
      // changes: the server's scrub of a client-scrubbed string is then a no-op.
      for (let round = 0; round < maxRounds && detect(out); round++) {
        let next = out
        for (const step of steps) {
          if (step.trigger === undefined || step.trigger.test(next)) next = step.apply(next)
        }
        if (next === out) break
        out = next
      }
      // The segment had no markers, so any here came from a user replacer.
      return escapeMarkers(out)
    } catch {
      return unscrubbable
    }
  }

  const scrubValue = (value: string): string => {
    if (!value.includes(OPEN_MARKER) && !value.includes(CLOSE_MARKER)) return scrubSegment(value)
    // split with a capturing group keeps the markers at the odd indexes.
    const parts = value.split(markerSplit)
    let changed = false
    for (let index = 0; index < parts.length; index += 2) {
      const part = parts[index] ?? ''
      const scrubbed = scrubSegment(part)
      if (scrubbed !== part) {
        parts[index] = scrubbed
        changed = true
      }
    }
    return changed ? parts.join('') : value
  }

  // Telemetry repeats itself: enum-like values (`literal`, a repo name, a file type) come back
  // on event after event. A small memo of short strings spares them the rules' scan.
  const memo = new Map<string, string>()
  return value => {
    if (value.length < minLength) return value
    if (value.length > maxMemoLength) return scrubValue(value)
    let scrubbed = memo.get(value)
    if (scrubbed === undefined) {
      scrubbed = scrubValue(value)
      if (memo.size >= maxMemoEntries) memo.clear()
      memo.set(value, scrubbed)
    }
    return scrubbed
  }
}

interface Step {
  readonly pattern: RegExp
  readonly trigger: RegExp | undefined
  readonly apply: (value: string) => string
}

function toStep(rule: ScrubRule): Step {
  const { name, pattern: original, replace } = rule
  if (
    !(original instanceof RegExp) ||
    // Without g only the first match would be replaced; with y the rule would stop at the
    // first gap between matches.
    !original.global ||
    original.sticky ||
    (typeof replace === 'string' && markerChars.test(replace))
  ) {
    throw new TypeError(
      `Scrub rule '${name}' needs a RegExp with g, without y, and no ‹ › in its replacement`,
    )
  }
  // A copy, so that a caller reusing the RegExp cannot leave a lastIndex that skips a match.
  const pattern = new RegExp(original.source, original.flags)
  // The cast picks one of replace's two overloads; both take either kind of replacement.
  const apply = (value: string) => value.replace(pattern, replace as string)
  const trigger = rule.trigger && tester(rule.trigger)
  return { pattern, trigger, apply }
}

/** A copy of `pattern` without g or y, so that test() keeps no lastIndex between strings. */
const tester = (pattern: RegExp) =>
  new RegExp(pattern.source, pattern.flags.replace(reportingFlags, ''))

/**
 * One regex per set of flags, the alternation of every pattern with those flags and no
 * trigger: a string with no secret, the usual case, costs one scan per set instead of one
 * per rule. A rule with a trigger is tested alone, and only where its trigger is found.
 */
function createDetector(steps: readonly Step[]): (value: string) => boolean {
  const byFlags = new Map<string, RegExp[]>()
  const triggered: { trigger: RegExp; pattern: RegExp }[] = []
  for (const { pattern, trigger } of steps) {
    const alone = tester(pattern)
    if (trigger) triggered.push({ trigger, pattern: alone })
    else byFlags.set(alone.flags, [...(byFlags.get(alone.flags) ?? []), alone])
  }
  const detectors = [...byFlags].map(([flags, patterns]) => anyOf(patterns, flags))
  // Ignoring case can only widen a trigger, and each rule checks its own trigger and pattern
  // after this.
  const anyTrigger = anyOf(
    triggered.map(({ trigger }) => trigger),
    'i',
  )
  return value =>
    detectors.some(detect => detect(value)) ||
    (anyTrigger(value) &&
      triggered.some(({ trigger, pattern }) => trigger.test(value) && pattern.test(value)))
}

/**
 * Whether any of `patterns` matches, in one scan of their alternation with `flags`. Where they
 * do not combine (two naming a group alike, before ES2025's duplicate named groups; syntax
 * that needs a flag `flags` lacks), each is tested alone, with its own flags.
 */
function anyOf(patterns: readonly RegExp[], flags: string): (value: string) => boolean {
  if (patterns.length === 0) return () => false
  try {
    const sources = new Set(patterns.map(pattern => `(?:${pattern.source})`))
    const combined = new RegExp([...sources].join('|'), flags)
    return value => combined.test(value)
  } catch {
    return value => patterns.some(pattern => pattern.test(value))
  }
}
