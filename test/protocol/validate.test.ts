import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { limits } from '../../src/protocol/event.js'
import { validateEvent, type ValidationProblem } from '../../src/protocol/validate.js'

type Loose = Record<string, unknown>

/** A fresh event that passes every rule and uses every optional field. */
function validEvent(): Loose {
  return {
    id: 'V1StGXR8_Z5jdHi6B-myT',
    timestamp: new Date('2024-05-01T12:00:00.000Z'),
    feature: 'blob.codeintel',
    action: 'goToDefinition',
    source: { client: 'vscode', clientVersion: '1.92.0' },
    sessionId: 'sess_0123456789',
    parameters: {
      version: 2,
      metadata: { resultCount: 37, regex: 1, 'ms.total': 12.5 },
      privateMetadata: {
        query: 'repo:a b',
        nested: { list: [1, 'two', null, true, { deep: [] }] },
      },
      billingMetadata: { product: 'code-search', category: 'core' },
      interactionId: 'interaction-0001',
    },
  }
}

const absent = Symbol('absent')

/**
 * Sets (or, with `absent`, deletes) the field at a dotted path of `event`. A path through a
 * value that is no longer an object is left alone, so random mutations can compose.
 */
function setPath(event: Loose, path: string, value: unknown): Loose {
  const keys = path.split('.')
  const last = keys.pop() ?? ''
  let target: unknown = event
  for (const key of keys) {
    if (typeof target !== 'object' || target === null) return event
    target = (target as Loose)[key]
  }
  if (typeof target !== 'object' || target === null) return event
  if (value === absent) Reflect.deleteProperty(target, last)
  else (target as Loose)[last] = value
  return event
}

function eventWith(path: string, value: unknown): Loose {
  return setPath(validEvent(), path, value)
}

function problemsOf(value: unknown): ValidationProblem[] {
  const result = validateEvent(value)
  expect(result.valid).toBe(false)
  return result.valid ? [] : result.problems
}

/** Reasons are read by people fixing their instrumentation: words, not codes. */
function expectSentence(reason: string): void {
  expect(reason).toMatch(/^\S+( \S+)+$/)
}

/** privateMetadata `{ a: { a: … { leaf: 1 } } }` with `levels` objects, itself included. */
function nestedObjects(levels: number): Loose {
  let value: Loose = { leaf: 1 }
  for (let level = 1; level < levels; level++) value = { a: value }
  return value
}

/** privateMetadata `{"s":"…"}` whose JSON encoding is exactly `bytes` bytes of UTF-8. */
function privateMetadataOfBytes(bytes: number, fill: string): Loose {
  const fillBytes = Buffer.byteLength(JSON.stringify(fill)) - 2
  const room = bytes - Buffer.byteLength('{"s":""}')
  const count = Math.floor(room / fillBytes)
  const value = { s: fill.repeat(count) + 'x'.repeat(room - count * fillBytes) }
  expect(Buffer.byteLength(JSON.stringify(value))).toBe(bytes)
  return value
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const pm = 'parameters.privateMetadata'
const maxBytes = limits.maxPrivateMetadataBytes

describe('validateEvent accepts a valid event', () => {
  it('returns valid with an equal copy of the event', () => {
    const input = validEvent()
    const result = validateEvent(input)
    expect(result).toEqual({ valid: true, event: input })
  })

  it('strips unknown fields such as user and userId at every level', () => {
    const input = validEvent()
    input.user = 'alice@example.com'
    input.userId = 42
    setPath(input, 'source.userId', 42)
    setPath(input, 'parameters.user', { name: 'alice' })
    setPath(input, 'parameters.billingMetadata.userId', 42)
    const result = validateEvent(input)
    expect(result).toEqual({ valid: true, event: validEvent() })
    expect(JSON.stringify(result)).not.toMatch(/user|alice/i)
  })

  it('returns a copy that shares no object with the input', () => {
    const input = validEvent()
    const result = validateEvent(input)
    if (!result.valid) throw new Error('expected a valid event')
    const { event } = result
    const parameters = input.parameters as Loose
    const privateMetadata = parameters.privateMetadata as { nested: { list: unknown[] } }
    expect(event).not.toBe(input)
    expect(event.source).not.toBe(input.source)
    expect(event.parameters).not.toBe(parameters)
    expect(event.parameters.metadata).not.toBe(parameters.metadata)
    expect(event.parameters.billingMetadata).not.toBe(parameters.billingMetadata)
    expect(event.parameters.privateMetadata).not.toBe(privateMetadata)
    expect(event.parameters.privateMetadata?.nested).not.toBe(privateMetadata.nested)
    expect((event.parameters.privateMetadata?.nested as Loose).list).not.toBe(
      privateMetadata.nested.list,
    )
  })

  it('copies the timestamp, so changing the input Date afterwards changes nothing', () => {
    const input = validEvent()
    const result = validateEvent(input)
    if (!result.valid) throw new Error('expected a valid event')
    expect(result.event.timestamp).not.toBe(input.timestamp)
    ;(input.timestamp as Date).setUTCFullYear(2030)
    expect(result.event.timestamp.toISOString()).toBe('2024-05-01T12:00:00.000Z')
  })

  it('accepts an event with only the required fields', () => {
    const input: Loose = {
      id: 'abcdefgh',
      timestamp: new Date('2024-01-01T00:00:00Z'),
      feature: 'search',
      action: 'submitted',
      source: { client: 'web' },
      sessionId: 'abcdefgh',
      parameters: { version: 0 },
    }
    expect(validateEvent(input)).toEqual({ valid: true, event: input })
  })

  it('leaves out optional fields that are present but undefined', () => {
    const input = validEvent()
    setPath(input, 'source.clientVersion', undefined)
    setPath(input, 'parameters.metadata', undefined)
    setPath(input, 'parameters.privateMetadata', undefined)
    setPath(input, 'parameters.billingMetadata', undefined)
    setPath(input, 'parameters.interactionId', undefined)
    const result = validateEvent(input)
    if (!result.valid) throw new Error('expected a valid event')
    expect(Object.keys(result.event.source)).toEqual(['client'])
    expect(Object.keys(result.event.parameters)).toEqual(['version'])
  })

  it.each([
    ['a feature name of exactly 64 characters', 'feature', 'a'.repeat(64)],
    ['an action with dots, dashes, digits and capitals', 'action', 'go-To.definition2'],
    ['an id of exactly 8 characters', 'id', 'abcd_-12'],
    ['an id of exactly 64 characters', 'id', 'A'.repeat(64)],
    ['a timestamp at the first millisecond of 2000', 'timestamp', new Date('2000-01-01T00:00:00Z')],
    [
      'a timestamp at the last millisecond before 2100',
      'timestamp',
      new Date(Date.UTC(2100, 0, 1) - 1),
    ],
    ['schema version 0', 'parameters.version', 0],
    ['the largest schema version', 'parameters.version', 2 ** 31 - 1],
    [
      'metadata with 64 keys',
      'parameters.metadata',
      Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i])),
    ],
    ['negative and fractional metadata values', 'parameters.metadata', { delta: -3.25, zero: -0 }],
    ['privateMetadata nested exactly 8 levels deep', pm, nestedObjects(8)],
    [
      'privateMetadata with a null prototype',
      pm,
      Object.assign(Object.create(null) as Loose, { a: 1 }),
    ],
    ['privateMetadata with lone surrogates in strings', pm, { s: '\ud800 and \udfff' }],
    ['an interactionId of 128 characters', 'parameters.interactionId', 'i'.repeat(128)],
  ])('accepts %s', (_name, path, value) => {
    expect(validateEvent(eventWith(path, value)).valid).toBe(true)
  })
})

describe('validateEvent refuses an invalid event, naming the field', () => {
  const fnValue = (): number => 1
  const cases: { name: string; event: Loose; path: string }[] = [
    // names
    { name: 'a missing feature', event: eventWith('feature', absent), path: 'feature' },
    { name: 'a feature that is a number', event: eventWith('feature', 42), path: 'feature' },
    { name: 'an empty feature', event: eventWith('feature', ''), path: 'feature' },
    {
      name: 'a feature starting with a capital',
      event: eventWith('feature', 'Search'),
      path: 'feature',
    },
    {
      name: 'a feature starting with a digit',
      event: eventWith('feature', '1search'),
      path: 'feature',
    },
    { name: 'a feature with a space', event: eventWith('feature', 'search box'), path: 'feature' },
    {
      name: 'a feature with an underscore',
      event: eventWith('feature', 'search_box'),
      path: 'feature',
    },
    {
      name: 'a feature with a non-ASCII letter',
      event: eventWith('feature', 'séarch'),
      path: 'feature',
    },
    {
      name: 'a feature of 65 characters',
      event: eventWith('feature', 'a'.repeat(65)),
      path: 'feature',
    },
    { name: 'an action with a slash', event: eventWith('action', 'open/file'), path: 'action' },
    {
      name: 'an action of 65 characters',
      event: eventWith('action', 'b'.repeat(65)),
      path: 'action',
    },
    // ids
    { name: 'a missing id', event: eventWith('id', absent), path: 'id' },
    { name: 'an id of 7 characters', event: eventWith('id', 'abcdefg'), path: 'id' },
    { name: 'an id of 65 characters', event: eventWith('id', 'a'.repeat(65)), path: 'id' },
    { name: 'an id with a space', event: eventWith('id', 'abcd efgh'), path: 'id' },
    { name: 'an id with a dollar sign', event: eventWith('id', 'abcd$efgh'), path: 'id' },
    { name: 'an id that is a number', event: eventWith('id', 1234567890), path: 'id' },
    // timestamp
    { name: 'a missing timestamp', event: eventWith('timestamp', absent), path: 'timestamp' },
    {
      name: 'a timestamp that is a string',
      event: eventWith('timestamp', '2024-05-01T12:00:00Z'),
      path: 'timestamp',
    },
    {
      name: 'a timestamp that is a number',
      event: eventWith('timestamp', Date.UTC(2024, 0, 1)),
      path: 'timestamp',
    },
    {
      name: 'an invalid Date',
      event: eventWith('timestamp', new Date('not a date')),
      path: 'timestamp',
    },
    {
      name: 'a timestamp before 2000',
      event: eventWith('timestamp', new Date('1999-12-31T23:59:59.999Z')),
      path: 'timestamp',
    },
    { name: 'a timestamp of 1970', event: eventWith('timestamp', new Date(0)), path: 'timestamp' },
    {
      name: 'a timestamp at 2100',
      event: eventWith('timestamp', new Date('2100-01-01T00:00:00Z')),
      path: 'timestamp',
    },
    {
      name: 'a timestamp after 2100',
      event: eventWith('timestamp', new Date('2200-06-01T00:00:00Z')),
      path: 'timestamp',
    },
    // source
    { name: 'a missing source', event: eventWith('source', absent), path: 'source' },
    { name: 'a source that is a string', event: eventWith('source', 'web'), path: 'source' },
    { name: 'a source that is an array', event: eventWith('source', ['web']), path: 'source' },
    {
      name: 'a source without client',
      event: eventWith('source.client', absent),
      path: 'source.client',
    },
    {
      name: 'an empty source client',
      event: eventWith('source.client', ''),
      path: 'source.client',
    },
    {
      name: 'a source client with spaces',
      event: eventWith('source.client', 'my web app'),
      path: 'source.client',
    },
    {
      name: 'a source client of 65 characters',
      event: eventWith('source.client', 'w'.repeat(65)),
      path: 'source.client',
    },
    {
      name: 'a source clientVersion that is a number',
      event: eventWith('source.clientVersion', 6.1),
      path: 'source.clientVersion',
    },
    // sessionId
    { name: 'a missing sessionId', event: eventWith('sessionId', absent), path: 'sessionId' },
    {
      name: 'a sessionId that is too short',
      event: eventWith('sessionId', 'sess'),
      path: 'sessionId',
    },
    {
      name: 'a sessionId with a dot',
      event: eventWith('sessionId', 'sess.0123456789'),
      path: 'sessionId',
    },
    // version
    { name: 'missing parameters', event: eventWith('parameters', absent), path: 'parameters' },
    { name: 'parameters that are null', event: eventWith('parameters', null), path: 'parameters' },
    {
      name: 'a missing version',
      event: eventWith('parameters.version', absent),
      path: 'parameters.version',
    },
    {
      name: 'a fractional version',
      event: eventWith('parameters.version', 1.5),
      path: 'parameters.version',
    },
    {
      name: 'a negative version',
      event: eventWith('parameters.version', -1),
      path: 'parameters.version',
    },
    {
      name: 'a version that is a string',
      event: eventWith('parameters.version', '1'),
      path: 'parameters.version',
    },
    {
      name: 'a NaN version',
      event: eventWith('parameters.version', NaN),
      path: 'parameters.version',
    },
    {
      name: 'a version of 2^31',
      event: eventWith('parameters.version', 2 ** 31),
      path: 'parameters.version',
    },
    // metadata
    {
      name: 'metadata that is an array',
      event: eventWith('parameters.metadata', [1, 2]),
      path: 'parameters.metadata',
    },
    {
      name: 'metadata that is a number',
      event: eventWith('parameters.metadata', 3),
      path: 'parameters.metadata',
    },
    {
      name: 'a string metadata value',
      event: eventWith('parameters.metadata', { count: '3' }),
      path: 'parameters.metadata.count',
    },
    {
      name: 'a boolean metadata value',
      event: eventWith('parameters.metadata', { flag: true }),
      path: 'parameters.metadata.flag',
    },
    {
      name: 'a NaN metadata value',
      event: eventWith('parameters.metadata', { count: NaN }),
      path: 'parameters.metadata.count',
    },
    {
      name: 'an Infinity metadata value',
      event: eventWith('parameters.metadata', { count: Infinity }),
      path: 'parameters.metadata.count',
    },
    {
      name: 'metadata with 65 keys',
      event: eventWith(
        'parameters.metadata',
        Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])),
      ),
      path: 'parameters.metadata',
    },
    {
      name: 'a metadata key starting with a digit',
      event: eventWith('parameters.metadata', { '1st': 1 }),
      path: 'parameters.metadata.1st',
    },
    {
      name: 'a metadata key with a space',
      event: eventWith('parameters.metadata', { 'a b': 1 }),
      path: 'parameters.metadata.a b',
    },
    {
      name: 'a metadata key of 65 characters',
      event: eventWith('parameters.metadata', { ['k'.repeat(65)]: 1 }),
      path: `parameters.metadata.${'k'.repeat(65)}`,
    },
    {
      name: 'the metadata key __proto__',
      event: eventWith('parameters.metadata', JSON.parse('{"__proto__": 1}')),
      path: 'parameters.metadata.__proto__',
    },
    {
      name: 'the metadata key constructor, which the wire cannot carry',
      event: eventWith('parameters.metadata', { constructor: 1 }),
      path: 'parameters.metadata.constructor',
    },
    // privateMetadata
    { name: 'privateMetadata that is a string', event: eventWith(pm, 'secret'), path: pm },
    { name: 'privateMetadata that is an array', event: eventWith(pm, ['a']), path: pm },
    {
      name: 'a function in privateMetadata',
      event: eventWith(pm, { fn: fnValue }),
      path: `${pm}.fn`,
    },
    {
      name: 'undefined in privateMetadata',
      event: eventWith(pm, { u: undefined }),
      path: `${pm}.u`,
    },
    {
      name: 'undefined inside a privateMetadata array',
      event: eventWith(pm, { list: [1, undefined] }),
      path: `${pm}.list.1`,
    },
    {
      name: 'a hole in a privateMetadata array',
      event: eventWith(pm, { list: Object.assign(new Array<number>(3), { 0: 1, 2: 3 }) }),
      path: `${pm}.list.1`,
    },
    { name: 'a BigInt in privateMetadata', event: eventWith(pm, { big: 10n }), path: `${pm}.big` },
    {
      name: 'a Symbol in privateMetadata',
      event: eventWith(pm, { sym: Symbol('s') }),
      path: `${pm}.sym`,
    },
    {
      name: 'a Date in privateMetadata',
      event: eventWith(pm, { when: new Date() }),
      path: `${pm}.when`,
    },
    {
      name: 'a Map in privateMetadata',
      event: eventWith(pm, { map: new Map([['a', 1]]) }),
      path: `${pm}.map`,
    },
    {
      name: 'a Set in privateMetadata',
      event: eventWith(pm, { set: new Set([1]) }),
      path: `${pm}.set`,
    },
    {
      name: 'a class instance in privateMetadata',
      event: eventWith(pm, { at: new Point(1, 2) }),
      path: `${pm}.at`,
    },
    {
      name: 'a class instance as privateMetadata',
      event: eventWith(pm, new Point(1, 2)),
      path: pm,
    },
    {
      name: 'a boxed string in privateMetadata',
      event: eventWith(pm, { s: new String('boxed') }),
      path: `${pm}.s`,
    },
    { name: 'NaN in privateMetadata', event: eventWith(pm, { n: NaN }), path: `${pm}.n` },
    {
      name: 'Infinity deep in privateMetadata',
      event: eventWith(pm, { a: { b: [-Infinity] } }),
      path: `${pm}.a.b.0`,
    },
    {
      name: 'privateMetadata nested 9 levels deep',
      event: eventWith(pm, nestedObjects(9)),
      path: `${pm}${'.a'.repeat(8)}`,
    },
    {
      name: 'privateMetadata arrays nested 9 levels deep',
      event: eventWith(pm, { a: [[[[[[[[1]]]]]]]] }),
      path: `${pm}.a${'.0'.repeat(7)}`,
    },
    {
      name: 'privateMetadata of 16 KiB + 1 byte',
      event: eventWith(pm, privateMetadataOfBytes(maxBytes + 1, 'x')),
      path: pm,
    },
    {
      name: 'privateMetadata of 16 KiB + 1 byte in €',
      event: eventWith(pm, privateMetadataOfBytes(maxBytes + 1, '€')),
      path: pm,
    },
    {
      name: 'privateMetadata of a megabyte',
      event: eventWith(pm, { s: 'x'.repeat(1 << 20) }),
      path: pm,
    },
    {
      name: 'the privateMetadata key __proto__',
      event: eventWith(pm, JSON.parse('{"__proto__": 1}')),
      path: pm,
    },
    {
      name: 'a nested privateMetadata key __proto__',
      event: eventWith(pm, JSON.parse('{"a": {"__proto__": {"polluted": 1}}}')),
      path: `${pm}.a`,
    },
    {
      name: 'the privateMetadata key prototype, which the wire cannot carry',
      event: eventWith(pm, { a: { prototype: 1 } }),
      path: `${pm}.a`,
    },
    // billingMetadata
    {
      name: 'billingMetadata that is a string',
      event: eventWith('parameters.billingMetadata', 'code-search'),
      path: 'parameters.billingMetadata',
    },
    {
      name: 'a billing product with a capital',
      event: eventWith('parameters.billingMetadata.product', 'CodeSearch'),
      path: 'parameters.billingMetadata.product',
    },
    {
      name: 'a missing billing category',
      event: eventWith('parameters.billingMetadata.category', absent),
      path: 'parameters.billingMetadata.category',
    },
    // interactionId
    {
      name: 'an empty interactionId',
      event: eventWith('parameters.interactionId', ''),
      path: 'parameters.interactionId',
    },
    {
      name: 'an interactionId of 129 characters',
      event: eventWith('parameters.interactionId', 'i'.repeat(129)),
      path: 'parameters.interactionId',
    },
    {
      name: 'an interactionId with a colon',
      event: eventWith('parameters.interactionId', 'click:1'),
      path: 'parameters.interactionId',
    },
    {
      name: 'an interactionId that is a number',
      event: eventWith('parameters.interactionId', 7),
      path: 'parameters.interactionId',
    },
  ]

  it('has a case for every rule', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30)
  })

  it.each(cases)('refuses $name', ({ event, path }) => {
    const problems = problemsOf(event)
    expect(problems.map(problem => problem.path)).toEqual([path])
    for (const { reason } of problems) expectSentence(reason)
  })
})

describe('validateEvent bounds privateMetadata at 16 KiB encoded', () => {
  // Escaped and multi-byte characters make the encoded size differ from the string length.
  it.each([
    ['ASCII', 'x'],
    ['the 3-byte €', '€'],
    ['the 4-byte 😀', '😀'],
    ['quotes escaped to 2 bytes', '"'],
    ['control characters escaped to 6 bytes', '\u0001'],
    ['lone surrogates escaped to 6 bytes', '\ud800'],
  ])('accepts exactly 16384 bytes and refuses 16385 with %s', (_name, fill) => {
    expect(validateEvent(eventWith(pm, privateMetadataOfBytes(maxBytes, fill))).valid).toBe(true)
    const problems = problemsOf(eventWith(pm, privateMetadataOfBytes(maxBytes + 1, fill)))
    expect(problems).toHaveLength(1)
    expect(problems[0]?.path).toBe(pm)
    expect(problems[0]?.reason).toContain('16385')
  })
})

describe('validateEvent reports everything at once', () => {
  it('lists all three problems of an event with three faults', () => {
    const event = eventWith('feature', 'Bad Feature')
    setPath(event, 'timestamp', new Date(Number.NaN))
    setPath(event, 'parameters.metadata', { count: 'many' })
    const paths = problemsOf(event).map(problem => problem.path)
    expect(paths.sort()).toEqual(['feature', 'parameters.metadata.count', 'timestamp'])
  })

  it('lists a problem for every field of an empty object', () => {
    const paths = problemsOf({}).map(problem => problem.path)
    expect(paths.sort()).toEqual([
      'action',
      'feature',
      'id',
      'parameters',
      'sessionId',
      'source',
      'timestamp',
    ])
  })

  it('lists every bad metadata key, not only the first', () => {
    const problems = problemsOf(eventWith('parameters.metadata', { a: 'x', b: NaN, ok: 1, '9': 2 }))
    expect(problems.map(problem => problem.path).sort()).toEqual([
      'parameters.metadata.9',
      'parameters.metadata.a',
      'parameters.metadata.b',
    ])
  })
})

describe('validateEvent refuses what is not an event', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', [validEvent()]],
    ['a string', JSON.stringify(validEvent())],
    ['a number', 42],
    ['a Date', new Date()],
    ['a class instance', new Point(1, 2)],
    ['a Map', new Map(Object.entries(validEvent()))],
  ])('refuses %s with one problem at the root', (_name, value) => {
    const problems = problemsOf(value)
    expect(problems.map(problem => problem.path)).toEqual([''])
    expectSentence(problems[0]?.reason ?? '')
  })

  it('refuses, without throwing, an event whose getter throws', () => {
    const event = validEvent()
    Object.defineProperty(event, 'feature', {
      enumerable: true,
      get: () => {
        throw new Error('getter exploded')
      },
    })
    expect(problemsOf(event).map(problem => problem.path)).toEqual([''])
  })

  it('refuses, without throwing, a proxy whose traps throw', () => {
    const event = new Proxy(validEvent(), {
      get: () => {
        throw new Error('trap exploded')
      },
    })
    expect(problemsOf(event).map(problem => problem.path)).toEqual([''])
  })

  it('refuses, without throwing, a timestamp that only poses as a Date', () => {
    const forged = Object.create(Date.prototype) as Date
    expect(problemsOf(eventWith('timestamp', forged))).toHaveLength(1)
  })
})

describe('validateEvent never throws', () => {
  const anything = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
    stringUnit: 'grapheme',
  })

  function expectVerdict(value: unknown): void {
    const result = validateEvent(value)
    if (result.valid) return
    expect(result.problems.length).toBeGreaterThanOrEqual(1)
    for (const { path, reason } of result.problems) {
      expect(typeof path).toBe('string')
      expectSentence(reason)
    }
  }

  it('returns a verdict for any value at all', () => {
    fc.assert(fc.property(anything, expectVerdict), { numRuns: 1000 })
  })

  const fieldPaths = [
    'id',
    'timestamp',
    'feature',
    'action',
    'source',
    'source.client',
    'source.clientVersion',
    'sessionId',
    'parameters',
    'parameters.version',
    'parameters.metadata',
    'parameters.metadata.resultCount',
    pm,
    `${pm}.query`,
    `${pm}.nested`,
    `${pm}.nested.list`,
    'parameters.billingMetadata',
    'parameters.billingMetadata.product',
    'parameters.interactionId',
  ]
  const mutation = fc.record({
    path: fc.constantFrom(...fieldPaths),
    value: fc.oneof(
      anything,
      fc.object({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }),
      fc.constantFrom<unknown>(absent, undefined, 'search', 'abcdefgh', 0, 1.5, { a: 1 }, []),
    ),
  })

  it('returns a verdict, and a clean event when valid, for mutated events', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.object(),
        (mutations, extra) => {
          const event = Object.assign(validEvent(), extra)
          for (const { path, value } of mutations) setPath(event, path, value)
          expectVerdict(event)
          const result = validateEvent(event)
          if (result.valid) {
            // A clean event is plain data: it validates again to itself.
            expect(validateEvent(result.event)).toEqual(result)
            expect(Object.keys(result.event).sort()).toEqual([
              'action',
              'feature',
              'id',
              'parameters',
              'sessionId',
              'source',
              'timestamp',
            ])
          }
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('returns a verdict for events whose privateMetadata is any object', () => {
    fc.assert(
      fc.property(
        fc.object({ maxDepth: 12, withNullPrototype: true, withBigInt: true, withDate: true }),
        privateMetadata => {
          expectVerdict(eventWith(pm, privateMetadata))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
