import { describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../src/protocol/event.js'
import { parseAllowlist, redactForExport } from '../../../src/protocol/export-redaction.js'
import { redactable } from '../../../src/protocol/redactable.js'
import { removedValues } from '../../../src/server/admin/removed-values.js'
import { ingested } from '../../support/server-events.js'

function removedFrom(privateMetadata: Record<string, JsonValue>, allow: string[] = []) {
  const row = ingested({ privateMetadata })
  const redacted = redactForExport(row, 'redact', parseAllowlist(allow))
  return removedValues(row.event, redacted?.removed ?? [])
}

describe('removedValues', () => {
  it('pairs a key that stays home with its stored value', () => {
    expect(removedFrom({ query: 'secret', count: 3 })).toEqual([
      { path: 'parameters.privateMetadata.query', kind: 'kept', found: true, stored: 'secret' },
      { path: 'parameters.privateMetadata.count', kind: 'kept', found: true, stored: 3 },
    ])
  })

  it('pairs the unsafe parts of an allowlisted string, nested in arrays and objects', () => {
    const query = redactable`repo:${'acme'}`
    const removed = removedFrom(
      { query, nested: { list: ['safe', redactable`at ${'/home/x'}`] } },
      ['search::submitted::query', 'search::submitted::nested'],
    )
    expect(removed).toEqual([
      {
        path: 'parameters.privateMetadata.query‹unsafe›',
        kind: 'unsafe',
        found: true,
        stored: 'repo:‹acme›',
      },
      {
        path: 'parameters.privateMetadata.nested.list.1‹unsafe›',
        kind: 'unsafe',
        found: true,
        stored: 'at ‹/home/x›',
      },
    ])
  })

  it('follows keys that hold dots, and keys with unsafe parts', () => {
    const removed = removedFrom(
      { 'a.b': { 'c.d': redactable`${'x'}` }, map: { [redactable`${'key'}`]: 1 } },
      ['search::submitted::a.b', 'search::submitted::map'],
    )
    expect(removed).toEqual([
      {
        path: 'parameters.privateMetadata.a.b.c.d‹unsafe›',
        kind: 'unsafe',
        found: true,
        stored: '‹x›',
      },
      {
        path: 'parameters.privateMetadata.map.‹key›‹unsafe›',
        kind: 'unsafe',
        found: true,
        stored: 1,
      },
    ])
  })

  it('says so when a path leads nowhere', () => {
    const row = ingested({ privateMetadata: { a: 1 } })
    expect(removedValues(row.event, ['parameters.privateMetadata.b', 'elsewhere.a'])).toEqual([
      { path: 'parameters.privateMetadata.b', kind: 'kept', found: false },
      { path: 'elsewhere.a', kind: 'kept', found: false },
    ])
  })
})
