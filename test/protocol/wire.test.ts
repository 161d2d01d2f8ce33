import fc from 'fast-check'
import superjson from 'superjson'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventBatch, TelemetryEvent } from '../../src/protocol/event.js'
import { validateEvent } from '../../src/protocol/validate.js'
import { decodeBatch, encodeBatch, type DecodedBatch } from '../../src/protocol/wire.js'

type Loose = Record<string, unknown>

function makeEvent(
  id: string,
  privateMetadata: TelemetryEvent['parameters']['privateMetadata'] = { query: 'repo:a b' },
): TelemetryEvent {
  return {
    id,
    timestamp: new Date('2024-05-01T12:00:00.123Z'),
    feature: 'blob.codeintel',
    action: 'goToDefinition',
    source: { client: 'vscode', clientVersion: '1.92.0' },
    sessionId: 'sess_0123456789',
    parameters: {
      version: 2,
      metadata: { resultCount: 37, 'ms.total': 12.5 },
      privateMetadata,
      billingMetadata: { product: 'code-search', category: 'core' },
      interactionId: 'interaction-0001',
    },
  }
}

const sentAt = new Date('2024-05-01T12:00:05.000Z')

function validBatch(): EventBatch {
  return {
    events: [
      makeEvent('V1StGXR8_Z5jdHi6B-myT'),
      makeEvent('second-event-id', { nested: { a: [1, null, true] } }),
    ],
    sentAt,
  }
}

function decoded(text: string): DecodedBatch {
  const result = decodeBatch(text)
  if (!result.ok) throw new Error(`expected a batch, got: ${result.reason}`)
  return result.batch
}

function refusal(text: string): string {
  const result = decodeBatch(text)
  expect(result.ok).toBe(false)
  return result.ok ? '' : result.reason
}

/** A plain, superjson-free event as it sits inside `json`. */
const rawEvent = {
  id: 'V1StGXR8_Z5jdHi6B-myT',
  timestamp: '2024-05-01T12:00:00.000Z',
  feature: 'search',
  action: 'submitted',
  source: { client: 'web' },
  sessionId: 'sess_0123456789',
  parameters: { version: 1, privateMetadata: { query: 'x' } },
}
const sentAtText = '2024-05-01T12:00:05.000Z'
const dateValues = { 'events.0.timestamp': ['Date'], sentAt: ['Date'] }

/** A superjson document by hand: `json`, and `meta.values` when given. */
function documentOf(json: unknown, values: unknown = dateValues, meta: Loose = {}): string {
  return JSON.stringify({ json, meta: { values, ...meta, v: 1 } })
}

function batchJson(events: unknown[] = [rawEvent], extra: Loose = {}): Loose {
  return { events, sentAt: sentAtText, ...extra }
}

/** The valid batch's text with a `"__proto__"` member spliced into the object at `anchor`. */
function withProtoKeyAfter(anchor: string, text = documentOf(batchJson())): string {
  expect(text).toContain(anchor)
  return text.replace(anchor, `${anchor}"__proto__":{"polluted":true},`)
}

/** `[[[…]]]` nested `levels` deep, as text, so that building it needs no recursion. */
function nestedArraysText(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels)
}

function withPrivateMetadataText(text: string): string {
  const template = documentOf(batchJson())
  return template.replace('{"query":"x"}', text)
}

describe('encodeBatch and decodeBatch round trip', () => {
  it('keeps every field of every event, and the Dates as Dates', () => {
    const batch = validBatch()
    const result = decoded(encodeBatch(batch))
    expect(result).toEqual(batch)
    expect(result.sentAt).toBeInstanceOf(Date)
    expect(result.sentAt.getTime()).toBe(sentAt.getTime())
    for (const event of result.events) {
      expect(event.timestamp).toBeInstanceOf(Date)
      expect((event.timestamp as Date).toISOString()).toBe('2024-05-01T12:00:00.123Z')
    }
  })

  it('round trips an empty batch', () => {
    expect(decoded(encodeBatch({ events: [], sentAt }))).toEqual({ events: [], sentAt })
  })

  it('decodes the superjson format that earlier clients send, to the same batch', () => {
    const batch = validBatch()
    expect(decoded(superjson.stringify(batch))).toEqual(batch)
    expect(decoded(superjson.stringify(batch))).toEqual(decoded(encodeBatch(batch)))
  })

  it('decodes undefined annotations from careless encoders', () => {
    const text = superjson.stringify({
      events: [{ ...makeEvent('abcdefgh'), extra: undefined }],
      sentAt,
    })
    const [event] = decoded(text).events
    expect(event).toHaveProperty('extra', undefined)
  })

  it('keeps strings with lone surrogates as they were (validation judges them, not the wire)', () => {
    const lone = 'a\ud800b\udc00c\udbff'
    const result = decoded(encodeBatch({ events: [makeEvent('abcdefgh', { s: lone })], sentAt }))
    expect(result.events[0]?.parameters).toMatchObject({ privateMetadata: { s: lone } })
  })

  it('decodes a body whose raw text holds unescaped lone surrogates', () => {
    const text = documentOf(batchJson([{ ...rawEvent, feature: 'x\ud800y' }]))
    expect(text).toContain('\\ud800')
    const raw = text.replace('\\ud800', '\ud800')
    expect(decoded(raw).events[0]?.feature).toBe('x\ud800y')
  })

  it('carries a -0 that validateEvent turned into 0 (superjson would annotate -0 as a number)', () => {
    const result = validateEvent({
      ...makeEvent('abcdefgh'),
      parameters: {
        version: -0,
        metadata: { delta: Math.round(-0.2) },
        privateMetadata: { n: [-0] },
      },
    })
    if (!result.valid) throw new Error('expected a valid event')
    const text = encodeBatch({ events: [result.event], sentAt })
    expect(text).not.toContain('"-0"')
    expect(text).not.toContain('"number"')
    expect(decoded(text).events[0]?.parameters).toEqual({
      version: 0,
      metadata: { delta: 0 },
      privateMetadata: { n: [0] },
    })
  })

  const withDelta = (id: string, delta: number): TelemetryEvent => {
    const event = makeEvent(id)
    return { ...event, parameters: { ...event.parameters, metadata: { delta } } }
  }

  it('decodes the numbers superjson annotates (-0, NaN), for validation to judge each event alone', () => {
    const text = superjson.stringify({
      events: [withDelta('abcdefgh', -0), withDelta('ijklmnop', Number.NaN)],
      sentAt,
    })
    expect(text).toContain('"number"')
    const [zero, nan] = decoded(text).events
    const delta = (zero as TelemetryEvent | undefined)?.parameters.metadata?.delta
    expect(Object.is(delta, -0)).toBe(true)
    expect(validateEvent(zero).valid).toBe(true)
    expect(validateEvent(nan).valid).toBe(false)
  })

  it('re-encodes every event validateEvent accepts to the same text', () => {
    const name = fc.stringMatching(/^[a-z][a-zA-Z0-9.-]{0,20}$/)
    // Keys superjson treats specially (a prototype guard, path separators and escapes).
    const awkwardKey = fc.constantFrom('constructor', 'prototype', '__proto__', 'a.b', 'a\\b', '')
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{8,30}$/)
    const candidate = fc.record({
      id,
      timestamp: fc.date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
      feature: name,
      action: name,
      source: fc.record({ client: fc.constantFrom('web', 'vscode', '@scope/ext') }),
      sessionId: id,
      parameters: fc.record(
        {
          version: fc.nat(),
          metadata: fc.dictionary(
            fc.oneof(fc.stringMatching(/^[a-z][a-zA-Z0-9._-]{0,10}$/), awkwardKey),
            fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0)),
          ),
          privateMetadata: fc.dictionary(
            fc.oneof(fc.string({ unit: 'grapheme' }), awkwardKey),
            fc.jsonValue({ maxDepth: 4 }),
          ),
          interactionId: id,
        },
        { requiredKeys: ['version'] },
      ),
    })
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 5 }), candidates => {
        const events: TelemetryEvent[] = []
        for (const value of candidates) {
          const result = validateEvent(value)
          if (result.valid) events.push(result.event)
        }
        const text = encodeBatch({ events, sentAt })
        const batch = decoded(text)
        expect(encodeBatch(batch as unknown as EventBatch)).toBe(text)
        for (const event of batch.events) expect(validateEvent(event).valid).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('decodeBatch refuses a body that is not a batch', () => {
  const cases: { name: string; body: string; reason: string }[] = [
    { name: 'text that is not JSON', body: 'events=1&sentAt=now', reason: 'not JSON' },
    { name: 'an empty body', body: '', reason: 'not JSON' },
    { name: 'a JSON array', body: JSON.stringify([rawEvent]), reason: 'neither a compact batch' },
    { name: 'a JSON string', body: '"events"', reason: 'neither a compact batch' },
    { name: 'JSON null', body: 'null', reason: 'neither a compact batch' },
    { name: 'an empty object', body: '{}', reason: 'neither a compact batch' },
    {
      name: 'a plain batch without the json wrapper',
      body: JSON.stringify(batchJson()),
      reason: 'neither a compact batch',
    },
    { name: 'json that is a number', body: documentOf(42), reason: 'a batch must be an object' },
    { name: 'json that is null', body: documentOf(null), reason: 'a batch must be an object' },
    {
      name: 'json that is an array of events',
      body: documentOf([rawEvent], {}),
      reason: 'a batch must be an object',
    },
    {
      name: 'json that is a string',
      body: documentOf(sentAtText, {}),
      reason: 'a batch must be an object',
    },
    {
      name: 'missing events',
      body: documentOf({ sentAt: sentAtText }, { sentAt: ['Date'] }),
      reason: 'events must be an array',
    },
    {
      name: 'events that are an object',
      body: documentOf({ events: { 0: rawEvent }, sentAt: sentAtText }),
      reason: 'events must be an array',
    },
    {
      name: 'events annotated away as undefined',
      body: documentOf(batchJson(), { ...dateValues, events: ['undefined'] }),
      reason: 'events must be an array',
    },
    {
      name: 'a missing sentAt',
      body: documentOf({ events: [rawEvent] }, { 'events.0.timestamp': ['Date'] }),
      reason: 'sentAt must be a valid Date',
    },
    {
      name: 'a sentAt left as a string',
      body: documentOf(batchJson(), { 'events.0.timestamp': ['Date'] }),
      reason: 'sentAt must be a valid Date',
    },
    {
      name: 'a sentAt that is a number',
      body: documentOf(batchJson([rawEvent], { sentAt: Date.now() }), {
        'events.0.timestamp': ['Date'],
      }),
      reason: 'sentAt must be a valid Date',
    },
    {
      name: 'a sentAt that is an invalid Date',
      body: documentOf(batchJson([rawEvent], { sentAt: 'yesterday' })),
      reason: 'sentAt must be a valid Date',
    },
    {
      name: 'an event without an id',
      body: documentOf(batchJson([{ ...rawEvent, id: undefined }])),
      reason: 'events.0 has no string id',
    },
    {
      name: 'an event with a numeric id',
      body: documentOf(batchJson([{ ...rawEvent, id: 12345678 }])),
      reason: 'events.0 has no string id',
    },
    {
      name: 'a second event without a string id',
      body: documentOf(batchJson([rawEvent, { ...rawEvent, id: null }])),
      reason: 'events.1 has no string id',
    },
    {
      name: 'an event that is a number',
      body: documentOf(batchJson([42])),
      reason: 'events.0 is not an object',
    },
    {
      name: 'an event that is null',
      body: documentOf(batchJson([null])),
      reason: 'events.0 is not an object',
    },
    {
      name: 'an event that is an array',
      body: documentOf(batchJson([[rawEvent]])),
      reason: 'events.0 is not an object',
    },
    {
      name: 'an event turned into a Date',
      body: documentOf(batchJson(), { ...dateValues, 'events.0': ['Date'] }),
      reason: 'events.0 is not an object',
    },
    // keys that reach a prototype
    { name: 'a __proto__ key in the envelope', body: withProtoKeyAfter('{'), reason: '__proto__' },
    { name: 'a __proto__ key in json', body: withProtoKeyAfter('{"json":{'), reason: '__proto__' },
    {
      name: 'a __proto__ key in an event',
      body: withProtoKeyAfter('"events":[{'),
      reason: '__proto__',
    },
    {
      name: 'a __proto__ key deep in privateMetadata',
      body: withProtoKeyAfter('"privateMetadata":{'),
      reason: '__proto__',
    },
    { name: 'a __proto__ key in meta', body: withProtoKeyAfter('"meta":{'), reason: '__proto__' },
    {
      name: 'a __proto__ key in meta.values',
      body: withProtoKeyAfter('"values":{'),
      reason: '__proto__',
    },
    // annotations other than Date, undefined and number
    ...['regexp', 'set', 'map', 'bigint', 'symbol', 'Error', 'URL', 'Infinity', 'date'].map(
      type => ({
        name: `a ${type} annotation`,
        body: documentOf(batchJson(), {
          ...dateValues,
          'events.0.parameters.privateMetadata.query': [type],
        }),
        reason: 'is not a Date, undefined or number annotation',
      }),
    ),
    ...(
      [
        ['a class annotation', ['class', 'Point']],
        ['a custom annotation', ['custom', 'decimal.js']],
        ['a typed-array annotation', ['typed-array', 'Uint8Array']],
        ['a Date annotation with a tree of children', ['Date', { x: ['Date'] }]],
        ['a map annotation with a tree of children', ['map', { '0.1': ['Date'] }]],
        ['a nested array annotation', [['Date']]],
        ['a nested custom annotation', [['custom', 'x']]],
        ['an empty annotation', []],
        ['an annotation that is a string', 'Date'],
        ['an annotation that is an object', { type: 'Date' }],
        ['an annotation that is null', null],
      ] satisfies [string, unknown][]
    ).map(([name, annotation]) => ({
      name,
      body: documentOf(batchJson(), { ...dateValues, sentAt: annotation }),
      reason: 'is not a Date, undefined or number annotation',
    })),
    {
      name: 'meta that is a number',
      body: JSON.stringify({ json: batchJson(), meta: 5 }),
      reason: 'meta must be an object',
    },
    {
      name: 'meta that is an array',
      body: JSON.stringify({ json: batchJson(), meta: [dateValues] }),
      reason: 'meta must be an object',
    },
    {
      name: 'meta.values that is an array (a root annotation)',
      body: documentOf(batchJson(), ['Date']),
      reason: 'meta.values must be an object',
    },
    {
      name: 'meta.values that is a string',
      body: documentOf(batchJson(), 'Date'),
      reason: 'meta.values must be an object',
    },
    // annotation paths that walk into a prototype
    ...[
      'events.0.__proto__.polluted',
      '__proto__.polluted',
      'constructor.prototype.polluted',
      'events.0.constructor.prototype.polluted',
      'events.constructor',
      'events.0.parameters.prototype',
      'sentAt.constructor',
    ].flatMap(path =>
      ['Date', 'undefined'].map(type => ({
        name: `the ${type} annotation path ${path}`,
        body: documentOf(batchJson(), { ...dateValues, [path]: [type] }),
        reason: 'not valid superjson',
      })),
    ),
    // nesting
    {
      name: '10,000 nested arrays in privateMetadata',
      body: withPrivateMetadataText(`{"deep":${nestedArraysText(10_000)}}`),
      reason: 'nests deeper than 32 levels',
    },
    {
      name: '100,000 nested arrays as json',
      body: `{"json":${nestedArraysText(100_000)}}`,
      reason: 'nests deeper than 32 levels',
    },
    {
      name: '40 nested objects in privateMetadata',
      body: withPrivateMetadataText('{"a":'.repeat(40) + '1' + '}'.repeat(40)),
      reason: 'nests deeper than 32 levels',
    },
    {
      name: '40 nested objects in meta',
      body: documentOf(batchJson(), dateValues, {
        extra: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)),
      }),
      reason: 'nests deeper than 32 levels',
    },
  ]

  it('has a case for every kind of hostile body', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
  })

  it.each(cases)('refuses $name', ({ body, reason }) => {
    expect(refusal(body)).toContain(reason)
  })

  it('accepts the hand-made document the table mutates', () => {
    expect(decoded(documentOf(batchJson())).events).toHaveLength(1)
  })

  it('accepts privateMetadata nested 20 levels deep, leaving its depth to validateEvent', () => {
    const result = decoded(withPrivateMetadataText(`{"deep":${nestedArraysText(20)}}`))
    expect(validateEvent(result.events[0]).valid).toBe(false)
  })

  it('counts no bracket inside a string, however its quotes and backslashes are escaped', () => {
    // Strings full of brackets, escaped quotes and runs of backslashes before a closing
    // quote: a scan that lost track of where a string ends would count 40 levels or more.
    const brackets = '['.repeat(40)
    const texts = [
      `${brackets}\\"${brackets}`,
      `\\\\\\"${brackets}\\\\`,
      `\\\\`,
      `${brackets}\\\\\\\\`,
    ]
    const body = withPrivateMetadataText(
      `{${texts.map((text, index) => `"k${index}":"${text}"`).join(',')},"tail":[[1]]}`,
    )
    expect(decoded(body).events[0]?.parameters).toHaveProperty('privateMetadata', {
      k0: `${brackets}"${brackets}`,
      k1: `\\"${brackets}\\`,
      k2: '\\',
      k3: `${brackets}\\\\`,
      tail: [[1]],
    })
    // After the last string, the nesting is counted again.
    expect(
      refusal(withPrivateMetadataText(`{"k":"\\\\","deep":${nestedArraysText(40)}}`)),
    ).toContain('nests deeper than 32 levels')
  })

  it('refuses every truncation of an encoded batch, without throwing', () => {
    const text = encodeBatch(validBatch())
    let cuts = 0
    for (let offset = 0; offset < text.length; offset += 7) {
      // A proper prefix of a JSON object is never JSON, so every cut must be refused.
      expect(decodeBatch(text.slice(0, offset)).ok).toBe(false)
      cuts++
    }
    expect(cuts).toBeGreaterThan(50)
  })
})

describe('decodeBatch ignores referential equalities', () => {
  it('decodes two events that shared a privateMetadata object into independent objects', () => {
    const shared = { query: 'repo:a b', nested: { n: 1 } }
    // What a client of the superjson format sends: superjson dedupes the shared object.
    const text = superjson.stringify({
      events: [makeEvent('first-event', shared), makeEvent('second-event', shared)],
      sentAt,
    })
    expect(text).toContain('referentialEqualities')
    const [first, second] = decoded(text).events as unknown as TelemetryEvent[]
    expect(first?.parameters.privateMetadata).toEqual(shared)
    expect(second?.parameters.privateMetadata).toEqual(shared)
    expect(first?.parameters.privateMetadata).not.toBe(second?.parameters.privateMetadata)
    expect(first?.parameters.privateMetadata?.nested).not.toBe(
      second?.parameters.privateMetadata?.nested,
    )
  })

  it.each([
    ['an object path', { 'events.0.parameters': ['events.0.parameters.privateMetadata.self'] }],
    ['the root form', [['events.0.parameters.privateMetadata.self']]],
    [
      'the root form with other paths',
      [['events.0.self'], { 'events.0': ['events.0.parameters.loop'] }],
    ],
  ])('builds no cycle from a forged cyclic entry in %s', (_name, referentialEqualities) => {
    const batch = decoded(documentOf(batchJson(), dateValues, { referentialEqualities }))
    expect(() => JSON.stringify(batch)).not.toThrow()
    expect(JSON.stringify(batch)).not.toMatch(/self|loop/)
  })
})

describe('decodeBatch never throws and never pollutes a prototype', () => {
  let objectKeys: string[]
  let arrayKeys: string[]
  beforeEach(() => {
    objectKeys = Object.getOwnPropertyNames(Object.prototype)
    arrayKeys = Object.getOwnPropertyNames(Array.prototype)
  })
  afterEach(() => {
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(objectKeys)
    expect(Object.getOwnPropertyNames(Array.prototype)).toEqual(arrayKeys)
  })

  function expectSaneVerdict(text: string): void {
    const result = decodeBatch(text)
    expect(({} as Loose).polluted).toBeUndefined()
    expect(([] as unknown as Loose).polluted).toBeUndefined()
    if (!result.ok) {
      expect(result.reason.length).toBeGreaterThan(0)
      return
    }
    expect(result.batch.sentAt).toBeInstanceOf(Date)
    expect(Number.isNaN(result.batch.sentAt.getTime())).toBe(false)
    for (const event of result.batch.events) expect(typeof event.id).toBe('string')
    expect(() => JSON.stringify(result.batch)).not.toThrow()
  }

  const payloads = [
    '"__proto__":{"polluted":true},',
    '{"__proto__":{"polluted":true}}',
    '"constructor":{"prototype":{"polluted":true}},',
    '"prototype":{"polluted":true},',
    '"events.0.__proto__.polluted":["Date"],',
    '"__proto__.polluted":["undefined"],',
    '"constructor.prototype.polluted":["Date"],',
    '"events.0.constructor.prototype.polluted":["Date"],',
    '"referentialEqualities":{"events.0":["events.0.parameters.x","constructor.prototype.polluted"]},',
    '"referentialEqualities":[["__proto__.polluted"]],',
    '"values":{"events.0.timestamp":["regexp"]},',
    '"v":0,',
    nestedArraysText(50),
  ]

  it('for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), expectSaneVerdict), {
      numRuns: 2000,
    })
  })

  it('for arbitrary JSON', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), expectSaneVerdict), { numRuns: 2000 })
  })

  it('for arbitrary JSON wrapped as a superjson document', () => {
    const annotation = fc.oneof(
      fc.constantFrom<unknown>(['Date'], ['undefined'], ['map'], ['Date', {}], 'Date'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    const segment = fc.oneof(
      fc.constantFrom(
        'events',
        '0',
        '1',
        'sentAt',
        'timestamp',
        'parameters',
        '__proto__',
        'constructor',
        'prototype',
        'polluted',
      ),
      fc.string({ maxLength: 4 }),
    )
    const path = fc
      .array(segment, { minLength: 1, maxLength: 5 })
      .map(segments => segments.join('.'))
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(batchJson())),
        fc.dictionary(path, annotation, { maxKeys: 4 }),
        (json, values) => {
          expectSaneVerdict(documentOf(json, { ...dateValues, ...values }))
          expectSaneVerdict(documentOf(json, values))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('for mutations of a valid encoded batch', () => {
    const text = encodeBatch(validBatch())
    const braces = [...text.matchAll(/[{[]/g)].map(match => match.index + 1)
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(text.length),
        text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...payloads)),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.constantFrom(...braces),
        text: fc.constantFrom(...payloads),
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.nat(text.length),
        length: fc.integer({ min: 1, max: 12 }),
      }),
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(text.length),
        text: fc.constantFrom('"', ',', ':', '{', '}', '[', ']', '\\', '0', 'null', '\ud800'),
      }),
    )
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), edits => {
        let mutated = text
        for (const change of edits) {
          const at = Math.min(change.at, mutated.length)
          if (change.kind === 'insert')
            mutated = mutated.slice(0, at) + change.text + mutated.slice(at)
          else if (change.kind === 'delete')
            mutated = mutated.slice(0, at) + mutated.slice(at + change.length)
          else mutated = mutated.slice(0, at) + change.text + mutated.slice(at + 1)
        }
        expectSaneVerdict(mutated)
      }),
      { numRuns: 2000 },
    )
  })

  it('for known prototype-pollution payloads spliced after every brace', () => {
    const text = documentOf(batchJson())
    for (const payload of payloads) {
      for (const match of text.matchAll(/[{[]/g)) {
        const at = match.index + 1
        expectSaneVerdict(text.slice(0, at) + payload + text.slice(at))
      }
    }
  })
})
