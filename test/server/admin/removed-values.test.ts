import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../src/protocol/event.js'
import { parseAllowlist, redactForExport } from '../../../src/protocol/export-redaction.js'
import { redactable } from '../../../src/protocol/redactable.js'
import { formatPath, removedValues } from '../../../src/server/admin/removed-values.js'
import { ingested } from '../../support/server-events.js'

function removedFrom(privateMetadata: Record<string, JsonValue>, allow: string[] = []) {
  const row = ingested({ privateMetadata })
  const redacted = redactForExport(row, 'redact', parseAllowlist(allow))
  return removedValues(row.event, redacted?.removed ?? [])
}

const at = (...keys: string[]) => ['parameters', 'privateMetadata', ...keys]

describe('removedValues', () => {
  it('pairs a key that stays home with its stored value', () => {
    expect(removedFrom({ query: 'secret', count: 3 })).toEqual([
      { path: at('query'), kind: 'not-allowlisted', found: true, stored: 'secret' },
      { path: at('count'), kind: 'not-allowlisted', found: true, stored: 3 },
    ])
  })

  it('pairs the unsafe parts of an allowlisted string, nested in arrays and objects', () => {
    const query = redactable`repo:${'acme'}`
    const removed = removedFrom(
      { query, nested: { list: ['safe', redactable`at ${'/home/x'}`] } },
      ['search::submitted::query', 'search::submitted::nested'],
    )
    expect(removed).toEqual([
      { path: at('query'), kind: 'unsafe-string', found: true, stored: 'repo:‹acme›' },
      {
        path: at('nested', 'list', '1'),
        kind: 'unsafe-string',
        found: true,
        stored: 'at ‹/home/x›',
      },
    ])
  })

  it('follows keys that hold dots, keys with unsafe parts, and keys that collide', () => {
    const removed = removedFrom(
      {
        'a.b': { 'c.d': redactable`${'x'}` },
        map: { [redactable`${'key'}`]: 1, [redactable`${'other'}`]: 2 },
      },
      ['search::submitted::a.b', 'search::submitted::map'],
    )
    expect(removed).toEqual([
      { path: at('a.b', 'c.d'), kind: 'unsafe-string', found: true, stored: '‹x›' },
      { path: at('map', '‹key›'), kind: 'unsafe-key', found: true, stored: 1 },
      { path: at('map', '‹other›'), kind: 'key-collision', found: true, stored: 2 },
    ])
  })

  it('says so when a path leads nowhere, without following inherited keys', () => {
    const row = ingested({ privateMetadata: { a: 1 } })
    const removed = [
      { path: at('b'), kind: 'not-allowlisted' },
      { path: ['elsewhere', 'a'], kind: 'not-allowlisted' },
      { path: at('a', 'deeper'), kind: 'unsafe-string' },
      { path: at('constructor'), kind: 'not-allowlisted' },
    ] as const
    expect(
      removedValues(
        row.event,
        removed.map(r => ({ ...r, path: [...r.path] })),
      ),
    ).toEqual(removed.map(r => ({ ...r, found: false })))
  })
})

describe('formatPath', () => {
  it.each([
    [at('query'), 'parameters.privateMetadata.query'],
    [at('nested', 'list', '0'), 'parameters.privateMetadata.nested.list.0'],
    [at('a.b', 'c'), 'parameters.privateMetadata["a.b"].c'],
    [at('‹key›'), 'parameters.privateMetadata["‹key›"]'],
    [at('two words'), 'parameters.privateMetadata["two words"]'],
  ])('writes %j as %s', (path, shown) => {
    expect(formatPath(path)).toBe(shown)
  })
})
