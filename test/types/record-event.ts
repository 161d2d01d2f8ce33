// Type tests: each `@ts-expect-error` line must fail to compile, so that removing a refusal
// from src/client/known.ts breaks `npm run typecheck` ("unused @ts-expect-error directive").
import { redactable, safe, type Telemetry } from '../../src/index.js'

declare const telemetry: Telemetry
declare const someString: string
declare const someNumber: number
declare const counts: Record<string, number>
declare const key: string
declare const templateKey: `count.${string}`
declare const upper: Uppercase<string>
declare const featureUnion: 'search' | 'notebook'
declare const metadataVariable: { regex: number; resultCount: number }
interface SearchMetadata {
  regex: number
  patternType?: number
}
declare const interfaceMetadata: SearchMetadata
const literalConst = 'search'

// --- Valid forms compile ---
telemetry.recordEvent('search', 'submitted')
telemetry.recordEvent('blob.codeintel', 'goToDefinition', { version: 1 })
telemetry.recordEvent(literalConst, 'submitted')
telemetry.recordEvent(featureUnion, 'viewed')
telemetry.recordEvent('search', 'submitted', {
  version: 1,
  metadata: { regex: 1, resultCount: someNumber },
  privateMetadata: { query: redactable`repo:${someString} ${someString}`, raw: someString, n: 3 },
  billingMetadata: { product: 'search', category: 'core' },
  interactionId: 'abc12345',
})
telemetry.recordEvent('search', 'submitted', { metadata: {} })
telemetry.recordEvent('search', 'submitted', { metadata: metadataVariable })
telemetry.recordEvent('search', 'submitted', { metadata: interfaceMetadata })
telemetry.recordEvent('search', 'submitted', { metadata: { ['literalKey' as const]: 1 } })
telemetry.recordEvent('search', 'submitted', {
  privateMetadata: { message: redactable`opened ${someString} at ${safe(someNumber)}` },
})

// --- A feature or action that is not a literal does not compile ---
// @ts-expect-error a string-typed variable as feature
telemetry.recordEvent(someString, 'submitted')
// @ts-expect-error a string-typed variable as action
telemetry.recordEvent('search', someString)
// @ts-expect-error a template literal built from a string variable
telemetry.recordEvent(`search.${someString}`, 'submitted')
// @ts-expect-error a template literal built from a number variable
telemetry.recordEvent('search', `submitted${someNumber}`)
// @ts-expect-error a pattern template literal type
telemetry.recordEvent(templateKey, 'submitted')
// @ts-expect-error an intrinsic string mapping of string
telemetry.recordEvent(upper, 'submitted')
// @ts-expect-error a union hiding a string among literals
telemetry.recordEvent(someString as 'search' | `x${string}`, 'submitted')

// --- Metadata with non-literal keys does not compile ---
// @ts-expect-error a Record<string, number>
telemetry.recordEvent('search', 'submitted', { metadata: counts })
// @ts-expect-error a computed string key
telemetry.recordEvent('search', 'submitted', { metadata: { [key]: 1 } })
// @ts-expect-error a computed key beside literal keys
telemetry.recordEvent('search', 'submitted', { metadata: { regex: 1, [key]: 2 } })
// @ts-expect-error a computed template-literal key
telemetry.recordEvent('search', 'submitted', { metadata: { [templateKey]: 1 } })

// --- Metadata with non-number values does not compile ---
// @ts-expect-error a string value
telemetry.recordEvent('search', 'submitted', { metadata: { query: someString } })
// @ts-expect-error a boolean value
telemetry.recordEvent('search', 'submitted', { metadata: { regex: true } })
// @ts-expect-error a redactable string is still a string
telemetry.recordEvent('search', 'submitted', { metadata: { query: redactable`${someString}` } })

// --- Other parameters keep their types ---
// @ts-expect-error an array is no metadata (refused by both the key and the value check)
telemetry.recordEvent('search', 'submitted', { metadata: [1, 2, 3] })
// @ts-expect-error privateMetadata holds JSON values only
telemetry.recordEvent('search', 'submitted', { privateMetadata: { when: new Date() } })
// @ts-expect-error version is a number
telemetry.recordEvent('search', 'submitted', { version: '1' })
// @ts-expect-error safe() takes primitives only
safe({ secret: someString })
