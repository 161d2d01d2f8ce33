import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLOSE_MARKER, OPEN_MARKER, REDACTED, escapeMarkers } from '../../src/protocol/markers.js'
import { hasUnsafeParts, redactable, renderRedacted, safe } from '../../src/protocol/redactable.js'

/** What a tag function receives for these literal parts, built by hand. */
function templateOf(literals: readonly string[]): TemplateStringsArray {
  // A plain array with `raw` is all a tag function can observe of a template call.
  return Object.assign([...literals], { raw: [...literals] })
}

function countOf(text: string, part: string): number {
  return text.split(part).length - 1
}

/** What rendering must give: the escaped literal parts with ‹×› between them. */
function expectedRender(literals: readonly string[]): string {
  return literals.map(escapeMarkers).join(REDACTED)
}

const sentinel = 'SENTINEL-SECRET'

/** Text full of the characters that matter here: both markers, ×, ?, and the escape's target. */
const markerHeavy = fc.string({
  unit: fc.constantFrom(OPEN_MARKER, CLOSE_MARKER, '×', '?', 'a', ' ', '\ud800', '😀'),
  maxLength: 30,
})

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  markerHeavy,
)

/** Literal parts never hold the sentinel, so finding it in the output can only mean a leak. */
const literalText = anyText.filter(text => !text.includes(sentinel) && !text.includes('SENTINEL'))

const unsafeValue = fc.oneof(
  anyText,
  markerHeavy.map(text => `${text}${CLOSE_MARKER}${text}`),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.object({ stringUnit: 'grapheme' }),
  fc.array(anyText, { maxLength: 3 }),
  fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
)

/** `n` values and `n + 1` literal parts, as a tagged template call would pass them. */
const templateCall = <T>(value: fc.Arbitrary<T>) =>
  fc
    .array(value, { maxLength: 6 })
    .chain(values =>
      fc
        .array(literalText, { minLength: values.length + 1, maxLength: values.length + 1 })
        .map(literals => ({ literals, values })),
    )

describe('redactable keeps literal parts and marks interpolated values', () => {
  it('puts an interpolated path between the markers', () => {
    const path = '/a/b.ts'
    expect(redactable`opened ${path}`).toBe('opened ‹/a/b.ts›')
  })

  it('renders the interpolated path as ‹×›', () => {
    const path = '/a/b.ts'
    expect(renderRedacted(redactable`opened ${path}`)).toBe('opened ‹×›')
  })

  it('leaves a template without values as it is', () => {
    expect(redactable`no values here`).toBe('no values here')
  })

  it('marks every value, including adjacent ones and ones at the edges', () => {
    const [a, b, c] = ['x', 'y', 'z']
    const text = redactable`${a}${b} and ${c}`
    expect(text).toBe('‹x›‹y› and ‹z›')
    expect(renderRedacted(text)).toBe('‹×›‹×› and ‹×›')
  })

  it('inlines values marked safe', () => {
    const path = '/home/alice/a.ts'
    const text = redactable`line ${safe(3)} of ${path} (${safe('typescript')}, ${safe(true)}, ${safe(10n)})`
    expect(text).toBe('line 3 of ‹/home/alice/a.ts› (typescript, true, 10)')
    expect(renderRedacted(text)).toBe('line 3 of ‹×› (typescript, true, 10)')
  })

  it('escapes markers inside a value marked safe, so safe text cannot open a marker', () => {
    expect(redactable`${safe('a‹b›c')}`).toBe('a?b?c')
  })

  it('treats an object that only looks safe (its payload is not text) as unsafe', () => {
    const forged = { [Symbol.for('tally-telemetry.safe')]: 42 }
    expect(renderRedacted(redactable`v=${forged}`)).toBe('v=‹×›')
  })

  it.each([
    ['a number', 42, '‹42›'],
    ['a negative float', -1.5, '‹-1.5›'],
    ['NaN', NaN, '‹NaN›'],
    ['a bigint', 12n, '‹12›'],
    ['a boolean', false, '‹false›'],
    ['null', null, '‹null›'],
    ['undefined', undefined, '‹undefined›'],
    ['an object, as JSON', { user: 'alice', n: 1 }, '‹{"user":"alice","n":1}›'],
    ['an array, as JSON', ['a', 1], '‹["a",1]›'],
    ['an Error, by its message', new Error('boom'), '‹Error: boom›'],
    ['a symbol', Symbol('s'), '‹Symbol(s)›'],
    [
      'an object with a null prototype',
      Object.assign(Object.create(null) as object, { a: 1 }),
      '‹{"a":1}›',
    ],
  ])('describes %s between the markers', (_name, value, expected) => {
    expect(redactable`${value}`).toBe(expected)
  })

  it.each([
    [
      'a function whose toString throws',
      Object.assign(() => 0, {
        toString: () => {
          throw new Error('nope')
        },
      }),
    ],
    [
      'an object whose toJSON throws',
      {
        toJSON: () => {
          throw new Error('nope')
        },
      },
    ],
    ['an object holding a bigint', { n: 1n }],
    [
      'a cyclic object',
      (() => {
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        return cyclic
      })(),
    ],
    [
      'an Error whose toString throws',
      Object.assign(new Error('x'), {
        toString: () => {
          throw new Error('nope')
        },
      }),
    ],
    [
      'a proxy whose traps throw',
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('nope')
          },
        },
      ),
    ],
  ])('does not throw for %s, and still redacts it', (_name, value) => {
    const text = redactable`value ${value}`
    expect(renderRedacted(text)).toBe('value ‹×›')
  })

  it('escapes markers in the literal parts', () => {
    const x = 'x'
    expect(redactable`a‹b›c ${x} ‹`).toBe('a?b?c ‹x› ?')
  })

  it('escapes markers inside a value, so it cannot close its marker early', () => {
    const value = `p${CLOSE_MARKER}leak${OPEN_MARKER}`
    expect(redactable`${value}`).toBe('‹p?leak?›')
    expect(renderRedacted(redactable`${value}`)).toBe('‹×›')
  })

  it('reports unsafe parts only when a value was interpolated', () => {
    const path = '/a'
    expect(hasUnsafeParts(redactable`opened ${path}`)).toBe(true)
    expect(hasUnsafeParts(redactable`opened ${safe(path)}`)).toBe(false)
    expect(hasUnsafeParts('plain text')).toBe(false)
  })
})

describe('renderRedacted handles arbitrary text', () => {
  it.each([
    ['text without markers unchanged', 'just text × ?', 'just text × ?'],
    ['a closed marker', 'a‹secret›b', 'a‹×›b'],
    ['an unclosed marker by hiding everything after it', 'hello ‹secret and more', 'hello ‹×›'],
    ['an unclosed marker at the very end', 'hello ‹', 'hello ‹×›'],
    ['a stray closing marker by neutralising it', 'a › b', 'a ? b'],
    ['a stray closing marker before a pair', '›a‹b›', '?a‹×›'],
    ['nested markers as one unsafe part', 'a‹b‹c›d›e', 'a‹×›e'],
    ['an unbalanced nest by hiding the rest', 'a‹b‹c›d', 'a‹×›'],
    ['an empty pair', 'a‹›b', 'a‹×›b'],
    ['already rendered text unchanged', 'x ‹×› y', 'x ‹×› y'],
    ['surrogate pairs around markers', '😀‹😀›😀', '😀‹×›😀'],
  ])('renders %s', (_name, input, expected) => {
    expect(renderRedacted(input)).toBe(expected)
  })

  it('counts a stray closing marker as something redaction changes', () => {
    expect(hasUnsafeParts('a › b')).toBe(true)
  })
})

describe('escapeMarkers', () => {
  it('replaces each marker with ?', () => {
    expect(escapeMarkers('‹a›‹')).toBe('?a??')
  })

  it('leaves text without markers as it is', () => {
    expect(escapeMarkers('a × b ?')).toBe('a × b ?')
  })
})

describe('no interpolated value survives renderRedacted (property)', () => {
  it('renders exactly the escaped literal parts with ‹×› for each value', () => {
    fc.assert(
      fc.property(templateCall(unsafeValue), ({ literals, values }) => {
        const rendered = renderRedacted(redactable(templateOf(literals), ...values))
        expect(rendered).toBe(expectedRender(literals))
      }),
      { numRuns: 2000 },
    )
  })

  it('inlines safe values and redacts the rest, in order', () => {
    const value = fc.oneof(
      unsafeValue.map(unsafe => ({ unsafe })),
      anyText.map(text => ({ safe: text })),
    )
    fc.assert(
      fc.property(templateCall(value), ({ literals, values }) => {
        const args = values.map(item => ('safe' in item ? safe(item.safe) : item.unsafe))
        const rendered = renderRedacted(redactable(templateOf(literals), ...args))
        let expected = escapeMarkers(literals[0] ?? '')
        values.forEach((item, index) => {
          expected += 'safe' in item ? escapeMarkers(item.safe) : REDACTED
          expected += escapeMarkers(literals[index + 1] ?? '')
        })
        expect(rendered).toBe(expected)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('no value can forge a marker (property)', () => {
  it('leaves exactly one ‹×› per value and no other marker', () => {
    fc.assert(
      fc.property(templateCall(unsafeValue), ({ literals, values }) => {
        const rendered = renderRedacted(redactable(templateOf(literals), ...values))
        expect(countOf(rendered, REDACTED)).toBe(values.length)
        const outside = rendered.split(REDACTED).join('')
        expect(outside).not.toContain(OPEN_MARKER)
        expect(outside).not.toContain(CLOSE_MARKER)
      }),
      { numRuns: 2000 },
    )
  })

  it('never lets text after a closing marker inside a value escape', () => {
    const forging = fc
      .tuple(markerHeavy, markerHeavy, anyText)
      .map(([before, between, after]) => `${before}${CLOSE_MARKER}${between}${sentinel}${after}`)
    fc.assert(
      fc.property(templateCall(fc.oneof(forging, unsafeValue)), ({ literals, values }) => {
        const text = redactable(templateOf(literals), ...values)
        const rendered = renderRedacted(text)
        expect(rendered).not.toContain(sentinel)
        expect(countOf(rendered, REDACTED)).toBe(values.length)
        expect(hasUnsafeParts(text)).toBe(values.length > 0)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('renderRedacted hides whatever sits inside a marker, even in hand-made text (property)', () => {
  it('never shows a secret after an opening marker, closed or not', () => {
    const safeText = anyText.filter(text => !text.includes('SENTINEL'))
    const secret = fc.string({ unit: 'grapheme' }).map(text => `${sentinel}${escapeMarkers(text)}`)
    fc.assert(
      fc.property(safeText, secret, fc.boolean(), safeText, (before, hidden, closed, after) => {
        const input = `${before}${OPEN_MARKER}${hidden}${closed ? CLOSE_MARKER : ''}${after}`
        const rendered = renderRedacted(input)
        expect(rendered).not.toContain(sentinel)
        expect(rendered).toContain(REDACTED)
        expect(hasUnsafeParts(input)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, text => {
        const once = renderRedacted(text)
        expect(renderRedacted(once)).toBe(once)
      }),
      { numRuns: 2000 },
    )
  })

  it('leaves only balanced ‹×› markers in its output', () => {
    fc.assert(
      fc.property(anyText, text => {
        const outside = renderRedacted(text).split(REDACTED).join('')
        expect(outside).not.toContain(OPEN_MARKER)
        expect(outside).not.toContain(CLOSE_MARKER)
      }),
      { numRuns: 2000 },
    )
  })

  it('changes nothing in a text that hasUnsafeParts calls free of unsafe parts', () => {
    fc.assert(
      fc.property(anyText, text => {
        if (!hasUnsafeParts(text)) expect(renderRedacted(text)).toBe(text)
      }),
      { numRuns: 2000 },
    )
  })
})
