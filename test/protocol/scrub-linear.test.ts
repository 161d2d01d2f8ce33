import { describe, expect, it } from 'vitest'
import { defaultScrubRules, type ScrubRule } from '../../src/protocol/scrub-rules.js'
import { createScrubber } from '../../src/protocol/scrub.js'

/*
 * Every rule must scrub in time linear in the length of its input, whatever the input. For each
 * rule, strings are built from the pieces of its own pattern (its words, the separators and
 * values around them, near-misses), the slowest few are kept, and each is timed at 16 KB and
 * at 256 KB. Sixteen times the input may take sixteen times as long, with room for a noisy
 * machine; a rule that backtracks quadratically takes 256 times as long and fails.
 */

/** Pieces that sit between or after a rule's words: separators, quotes, value characters. */
const separators = [
  ' ',
  '\t',
  '\n',
  ':',
  '=',
  '"',
  "'",
  '\\',
  '-',
  '_',
  '.',
  '/',
  '@',
  ';',
  'a',
  '1',
]

/**
 * Near-misses each rule is built to decline, beyond the words of its own pattern. A new rule
 * needs an entry here; the test refuses a rule without one.
 */
const adversarialPieces: Readonly<Record<string, readonly string[]>> = {
  'url-credentials': ['https://', 'a://', 'user:pass', '@'],
  'private-key': ['-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', 'AAAA'],
  jwt: ['eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.', 'eyJa-'],
  'slack-webhook': ['https://hooks.slack.com/services/', 'hooks.slack.com/', 'T0/'],
  'url-query': ['https://', 'a://', '://', 'h/p', '?', '#', ':'],
  'url-fragment': ['https://', 'a://', '://', 'h/p', '#', ':'],
  'github-token': ['ghp_', 'github_pat_', 'aB3'],
  'gitlab-token': ['glpat-', 'GR1348941', 'a.b-'],
  'slack-token': ['xoxb-1', 'xoxe.xoxp-1', 'xapp-1-', 'a-1'],
  'aws-access-key-id': ['AKIA', 'ASIA', 'AKIAAAAA'],
  'aws-secret-key': ['aws_secret_access_key', 'secret_key', '= "', 'aB3+'],
  'npm-token': ['npm_', 'aB3'],
  'anthropic-key': ['sk-ant-', 'api03-'],
  'openai-key': ['sk-', 'sk-proj-', 'a-', '1'],
  'sourcegraph-token': ['sgp_', 'local_'],
  'google-api-key': ['AIza', 'a-'],
  'stripe-key': ['sk_live_', 'whsec_', 'rk_test_'],
  'bearer-token': ['Bearer ', 'bearer', 'a.b', '1'],
  'basic-auth': ['Basic ', 'dXNl', '='],
  'authorization-header': ['authorization: ', 'Authorization: Bearer ', 'a=', 'a="', ', ', '\\"'],
  assignment: [
    'token',
    'password',
    'api_key',
    'token=',
    'password: ',
    '\\"',
    '"a',
    "'a",
    ':=',
    '=>',
  ],
  'secret-name': ['DB_PASS=', '_pass', 'SECRET_KEY_BASE', 'session_id: ', '-x ', 'a_', '1'],
  email: ['alice', 'a.', 'a@', '@b.', 'example.com', 'git@', '1.2.3'],
  'home-path': ['/home/', '/Users/', 'C:\\Users\\', 'C:/Users/', '/mnt/c', 'alice ', 'a b'],
}

/** The words of a pattern: its literal prefixes, keywords and alternatives. */
function wordsOf(pattern: RegExp): string[] {
  const source = pattern.source.replace(/\\[a-zA-Z]/g, ' ')
  return [...new Set(source.match(/[A-Za-z][\w-]+/g) ?? [])]
}

/** Strings of `length` that a rule's pieces make: one start and a long tail, or many starts. */
function candidates(rule: ScrubRule): ((length: number) => string)[] {
  const words = wordsOf(rule.pattern)
  const pieces = adversarialPieces[rule.name] ?? []
  const prefixes = [...pieces, ...words.flatMap(word => separators.map(sep => word + sep))]
  const fillers = [...separators, ...pieces, ...words]
  const shapes: ((length: number) => string)[] = []
  const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length))
  for (const prefix of prefixes) {
    for (const filler of fillers) {
      shapes.push(length => (prefix + fill(filler, length)).slice(0, length))
      shapes.push(length => fill(prefix + filler, length).slice(0, length))
    }
  }
  return shapes
}

/** Milliseconds one call takes: calls repeated until they fill a few ms. */
function msPerCall(call: () => void): number {
  let calls = 0
  let elapsed = 0
  const started = performance.now()
  while (elapsed < 2 || calls < 1) {
    call()
    calls++
    elapsed = performance.now() - started
  }
  return elapsed / calls
}

/**
 * The best time of each call over a few rounds, the calls interleaved so that a busy moment
 * of a shared machine slows both alike, after one call each to warm up.
 */
function bestOf(rounds: number, calls: readonly (() => void)[]): number[] {
  for (const call of calls) call()
  const best = calls.map(() => Infinity)
  for (let round = 0; round < rounds; round++) {
    calls.forEach((call, index) => {
      best[index] = Math.min(best[index] ?? Infinity, msPerCall(call))
    })
  }
  return best
}

/**
 * How many times longer the second call takes than the first, measured up to three times
 * while it seems too long, so that only a ratio that holds every time fails the test.
 */
function growth(first: () => void, second: () => void, limit: number): number {
  let ratio = Infinity
  for (let attempt = 0; attempt < 3 && !(ratio < limit); attempt++) {
    const [firstMs = 0, secondMs = 0] = bestOf(3, [first, second])
    ratio = Math.min(ratio, secondMs / firstMs)
  }
  return ratio
}

const small = 16 * 1024
const large = 256 * 1024
/**
 * 16 for a linear rule in theory. In practice a 256 KB string falls out of the fastest cache
 * where a 16 KB one fits, which alone has shown ratios past 80 on a busy machine, and past 150
 * with the rest of the suite running beside it; a quadratic rule reaches 256.
 */
const maxRatio = 200
/** Linear rules take a few ms at 16 KB; a quadratic one takes a second and would take minutes at 256 KB. */
const maxSmallMs = 200
/** The candidates timed at full size, per rule: the slowest of a quick screen. */
const slowestKept = 3

describe('every default scrub rule', () => {
  it('has adversarial pieces to be tested with', () => {
    const missing = defaultScrubRules
      .map(rule => rule.name)
      .filter(name => !adversarialPieces[name])
    expect(missing).toEqual([])
  })

  it.each(defaultScrubRules.map(rule => [rule.name, rule] as const))(
    '%s scrubs in linear time',
    (_name, rule) => {
      const scrub = createScrubber([rule])
      const screened = candidates(rule)
        .map(make => {
          const value = make(1024)
          const started = performance.now()
          scrub(value)
          return { make, ms: performance.now() - started }
        })
        .sort((a, b) => b.ms - a.ms)
        .slice(0, slowestKept)
      for (const { make } of screened) {
        const shown = JSON.stringify(make(40)) + '…'
        const smallValue = make(small)
        // A safety valve, not the test: a quadratic rule at 256 KB would run for minutes.
        const [smallMs = 0] = bestOf(1, [() => scrub(smallValue)])
        expect(smallMs, `${shown} at 16 KB: far too slow to try 256 KB`).toBeLessThan(maxSmallMs)
        const largeValue = make(large)
        const ratio = growth(
          () => scrub(smallValue),
          () => scrub(largeValue),
          maxRatio,
        )
        expect(ratio, `${shown} from 16 KB to 256 KB`).toBeLessThan(maxRatio)
      }
    },
    60_000,
  )
})
