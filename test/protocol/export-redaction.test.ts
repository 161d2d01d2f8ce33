import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ExportMode } from '../../src/protocol/config.js'
import type { JsonValue } from '../../src/protocol/event.js'
import {
  emptyAllowlist,
  parseAllowlist,
  redactForExport,
  type Removal,
  type RemovalKind,
} from '../../src/protocol/export-redaction.js'
import { CLOSE_MARKER, OPEN_MARKER } from '../../src/protocol/markers.js'
import { redactable, safe } from '../../src/protocol/redactable.js'
import { validateEvent } from '../../src/protocol/validate.js'
import { ingested } from '../support/server-events.js'

const path = '/home/alice/secret-project/a.ts'
const removal = (kind: RemovalKind, ...keys: string[]): Removal => ({
  path: ['parameters', 'privateMetadata', ...keys],
  kind,
})
const allowQuery = parseAllowlist(['search::submitted::query', 'search::submitted::nested'])

describe('parseAllowlist', () => {
  it('reads feature::action::key triples, grouped by feature and action', () => {
    const allowlist = parseAllowlist([
      'search::submitted::query',
      ' search::submitted::mode ',
      'blob.codeintel::goToDefinition::language',
    ])
    expect(allowlist.keys.get('search::submitted')).toEqual(new Set(['query', 'mode']))
    expect(allowlist.keys.get('blob.codeintel::goToDefinition')).toEqual(new Set(['language']))
  })

  it('takes everything after the second :: as the key', () => {
    expect(parseAllowlist(['a::b::c::d']).keys.get('a::b')).toEqual(new Set(['c::d']))
  })

  it('accepts no entries', () => {
    expect(parseAllowlist([]).keys.size).toBe(0)
  })

  it.each([
    ['no separators', 'search', /expected feature::action::key/],
    ['one separator', 'search::submitted', /expected feature::action::key/],
    ['an empty feature', '::submitted::query', /feature ""/],
    ['an empty action', 'search::::query', /action ""/],
    ['a feature that breaks the name rule', 'Search::submitted::query', /feature "Search"/],
    ['an action with a space', 'search::sub mitted::query', /action "sub mitted"/],
    ['an empty key', 'search::submitted::', /key must be non-empty/],
    ['a key with surrounding spaces', 'search::submitted:: query', /key must be non-empty/],
    ['an empty entry', '', /expected feature::action::key/],
  ])('refuses %s with an Error naming the entry', (_name, entry, message) => {
    expect(() => parseAllowlist(['search::submitted::ok', entry])).toThrow(message)
    expect(() => parseAllowlist([entry])).toThrow(JSON.stringify(entry))
  })
})

describe('redactForExport', () => {
  const row = ingested({
    id: 'evt_redact_0001',
    privateMetadata: {
      query: redactable`repo:${'acme/secret'} ${'password=hunter2'} lang:${safe('go')}`,
      nested: { list: [redactable`opened ${path}`, 3, null, true], plain: 'ok' },
      filePath: path,
    },
  })

  it('sends nothing in off mode', () => {
    expect(redactForExport(row, 'off', allowQuery)).toBeUndefined()
  })

  it('keeps every field but privateMetadata as stored, with the times of the row', () => {
    const result = redactForExport(row, 'redact', emptyAllowlist)
    const { event } = row
    expect(result?.exported).toEqual({
      id: event.id,
      timestamp: row.correctedTimestamp,
      clientTimestamp: event.timestamp,
      feature: 'search',
      action: 'submitted',
      source: { client: 'web', clientVersion: '6.1.0' },
      sessionId: event.sessionId,
      parameters: {
        version: 1,
        metadata: { regex: 1, resultCount: 37 },
        billingMetadata: { product: 'code-search', category: 'core' },
        interactionId: 'interaction-0001',
      },
      userId: 7,
      receivedAt: row.receivedAt,
    })
    expect(result?.removed).toEqual([
      removal('not-allowlisted', 'query'),
      removal('not-allowlisted', 'nested'),
      removal('not-allowlisted', 'filePath'),
    ])
  })

  it('keeps allowlisted keys, with unsafe parts rendered as ‹×›, and lists what it took', () => {
    const result = redactForExport(row, 'redact', allowQuery)
    expect(result?.exported.parameters.privateMetadata).toEqual({
      query: 'repo:‹×› ‹×› lang:go',
      nested: { list: ['opened ‹×›', 3, null, true], plain: 'ok' },
    })
    expect(result?.removed).toEqual([
      removal('unsafe-string', 'query'),
      removal('unsafe-string', 'nested', 'list', '0'),
      removal('not-allowlisted', 'filePath'),
    ])
  })

  it('applies the allowlist per feature and action', () => {
    const other = ingested({ action: 'viewed', privateMetadata: { query: 'x' } })
    const result = redactForExport(other, 'redact', allowQuery)
    expect(result?.exported.parameters).not.toHaveProperty('privateMetadata')
    expect(result?.removed).toEqual([removal('not-allowlisted', 'query')])
  })

  it.each<[string, JsonValue, JsonValue, Removal[]]>([
    ['a plain string', 'plain', 'plain', []],
    ['a number', 4, 4, []],
    ['null', null, null, []],
    ['a string opened and never closed', 'a‹b', 'a‹×›', [removal('unsafe-string', 'query')]],
    ['a stray closing marker', 'a›b', 'a?b', [removal('unsafe-string', 'query')]],
    ['nested markers', 'a‹b‹c›d›e', 'a‹×›e', [removal('unsafe-string', 'query')]],
    [
      'an unsafe object key',
      { '‹k›': 'v' },
      { '‹×›': 'v' },
      [removal('unsafe-key', 'query', '‹k›')],
    ],
    [
      'two keys that render alike (the first stays)',
      { '‹a›': 1, '‹b›': 2 },
      { '‹×›': 1 },
      [removal('unsafe-key', 'query', '‹a›'), removal('key-collision', 'query', '‹b›')],
    ],
    [
      'a colliding key whose value holds unsafe parts (reported once, as the collision)',
      { '‹a›': 1, '‹b›': ['‹secret›'] },
      { '‹×›': 1 },
      [removal('unsafe-key', 'query', '‹a›'), removal('key-collision', 'query', '‹b›')],
    ],
    [
      'deep nesting',
      { a: [{ b: ['‹x›'] }] },
      { a: [{ b: ['‹×›'] }] },
      [removal('unsafe-string', 'query', 'a', '0', 'b', '0')],
    ],
    [
      'keys holding dots, kept whole in the path',
      { 'a.b': { 'c.d': '‹x›' } },
      { 'a.b': { 'c.d': '‹×›' } },
      [removal('unsafe-string', 'query', 'a.b', 'c.d')],
    ],
  ])('redacts %s inside an allowlisted key', (_name, value, expected, removed) => {
    const result = redactForExport(
      ingested({ privateMetadata: { query: value } }),
      'redact',
      allowQuery,
    )
    expect(result?.exported.parameters.privateMetadata).toEqual({ query: expected })
    expect(result?.removed).toEqual(removed)
  })

  it('exports everything as stored in full mode, removing nothing', () => {
    const result = redactForExport(row, 'full', emptyAllowlist)
    expect(result?.exported.parameters.privateMetadata).toEqual(
      row.event.parameters.privateMetadata,
    )
    expect(result?.exported.parameters.privateMetadata).not.toBe(
      row.event.parameters.privateMetadata,
    )
    expect(result?.removed).toEqual([])
  })

  it('leaves the stored row untouched', () => {
    const before = structuredClone(row)
    for (const mode of ['redact', 'full'] as const) redactForExport(row, mode, allowQuery)
    expect(row).toEqual(before)
  })

  it('produces an event that validation still accepts', () => {
    for (const mode of ['redact', 'full'] as const) {
      const result = redactForExport(row, mode, allowQuery)
      expect(validateEvent(result?.exported).valid).toBe(true)
    }
  })
})

describe('redactForExport, property: nothing private leaves', () => {
  const sentinel = 'SENTINEL'
  // Values are tagged with a sentinel and a number, so a leak is found by searching the output.
  const secret = fc.nat({ max: 1_000_000 }).map(n => `${sentinel}${String(n)}X`)
  const noise = fc
    .string({ unit: fc.constantFrom(OPEN_MARKER, CLOSE_MARKER, 'a', ' ', '×', '?', ':') })
    .filter(text => !text.includes('SENTINEL'))
  const unsafeValue = fc.oneof(
    secret,
    fc.tuple(noise, secret, noise).map(([a, s, b]) => a + s + b),
    secret.map(s => ({ nested: s })),
    secret.map(s => [s, 1]),
  )
  const redactableString = fc
    .tuple(fc.array(unsafeValue, { minLength: 1, maxLength: 4 }), fc.array(noise, { maxLength: 5 }))
    .map(([values, literals]) => {
      const parts = Array.from({ length: values.length + 1 }, (_, i) => literals[i] ?? '')
      const template = Object.assign([...parts], { raw: [...parts] })
      return redactable(template, ...values)
    })
  const leaf: fc.Arbitrary<JsonValue> = fc.oneof(
    redactableString,
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    noise,
  )
  const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>(tie => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      leaf,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.oneof(fc.constantFrom('a', 'b'), redactableString), tie('value'), {
        maxKeys: 3,
      }),
    ),
  })).value
  const keys = ['query', 'path', 'repo', 'mode']
  const mode = fc.constantFrom<ExportMode>('redact', 'off')

  it('never lets a non-allowlisted value or an unsafe part reach the export', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), fc.oneof(json, secret)),
        fc.subarray(keys),
        mode,
        (privateMetadata, allowed, exportMode) => {
          const allowlist = parseAllowlist(allowed.map(key => `search::submitted::${key}`))
          const row = ingested({ privateMetadata })
          const result = redactForExport(row, exportMode, allowlist)
          if (exportMode === 'off') {
            expect(result).toBeUndefined()
            return
          }
          // A plain string under an allowlisted key leaves as it is, by design; every other
          // sentinel sat inside an unsafe part or under a key off the allowlist.
          // Those are taken out of a copy rather than out of the text: replacing a value like
          // ":" in the JSON would cut the text's own punctuation and hide what follows.
          const exported = structuredClone(result?.exported)
          const exportedPrivate = exported?.parameters.privateMetadata
          for (const key of allowed) {
            const value = privateMetadata[key]
            if (typeof value === 'string' && !value.includes(OPEN_MARKER) && exportedPrivate) {
              // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a test copy
              delete exportedPrivate[key]
            }
          }
          expect(JSON.stringify(exported)).not.toContain(sentinel)
          for (const key of keys) {
            if (!allowed.includes(key) && key in privateMetadata) {
              expect(result?.removed).toContainEqual(removal('not-allowlisted', key))
            }
          }
        },
      ),
      { numRuns: 2_000 },
    )
  })
})
