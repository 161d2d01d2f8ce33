import { describe, expect, it } from 'vitest'
import { codePointName, terminalJson } from '../../src/server/bidi-controls.js'

describe('terminalJson', () => {
  it('writes every bidi control as its \\u escape, which JSON reads back as the same value', () => {
    const value = {
      query: 'user\u202Enimda\u202C',
      isolates: '\u2066a\u2067b\u2068c\u2069',
      marks: '\u200E\u200F\u061C',
      embeddings: '\u202A\u202B\u202D',
      hebrew: 'שלום',
    }
    const text = terminalJson(value)
    expect(text).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/)
    expect(text).toContain('user\\u202enimda\\u202c')
    expect(text).toContain('שלום')
    expect(JSON.parse(text)).toEqual(value)
  })
})

describe('codePointName', () => {
  it.each([
    ['\u202E', 'U+202E'],
    ['\u061C', 'U+061C'],
  ])('names %j as %s', (character, name) => {
    expect(codePointName(character)).toBe(name)
  })
})
