import { describe, expect, it } from 'vitest'
import { markUnsafe, formatDuration } from '../../../src/server/admin/format.js'
import { Html, escapeHtml, html } from '../../../src/server/admin/html.js'

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover="x`, '&quot; onmouseover=&quot;x'],
    [`it's`, 'it&#39;s'],
    ['&lt; stays literal', '&amp;lt; stays literal'],
    ['‹secret› and ‹×›', '‹secret› and ‹×›'],
    ['plain', 'plain'],
    // Trojan Source: a right-to-left override shown raw reads `admin` backwards.
    ['user\u202Enimda\u202C', 'user&lt;U+202E&gt;nimda&lt;U+202C&gt;'],
    [
      '\u2066isolate\u2069 \u2067\u2068',
      '&lt;U+2066&gt;isolate&lt;U+2069&gt; &lt;U+2067&gt;&lt;U+2068&gt;',
    ],
    ['marks \u200E\u200F\u061C', 'marks &lt;U+200E&gt;&lt;U+200F&gt;&lt;U+061C&gt;'],
    ['embeddings \u202A\u202B\u202D', 'embeddings &lt;U+202A&gt;&lt;U+202B&gt;&lt;U+202D&gt;'],
    ['Hebrew stays שלום', 'Hebrew stays שלום'],
  ])('%s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected)
  })
})

describe('html', () => {
  it('escapes every interpolated value and keeps nested templates as markup', () => {
    const name = '<b>"x"</b>'
    const escaped = '&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
    const inner = html`<em>${name}</em>`
    const markup = html`<p title="${name}">
      ${inner}${[1, '<', html`<br />`]}${false}${null}${undefined}
    </p>`
    // Prettier formats html`…` templates, so whitespace is not part of the contract.
    expect(markup.toString().replace(/\s+/g, '')).toBe(
      `<ptitle="${escaped}"><em>${escaped}</em>1&lt;<br/></p>`.replace(/\s+/g, ''),
    )
  })

  it('cannot be fooled into treating a string as markup', () => {
    const fake = Object.assign(['<script>'], { raw: ['<script>'] })
    expect(() => html(fake as unknown as TemplateStringsArray)).toThrow(TypeError)
    expect(() => new Html('<script>', Symbol('Html') as never)).toThrow(TypeError)
  })
})

describe('markUnsafe', () => {
  it.each([
    ['repo:‹acme› q', 'repo:<mark>‹acme›</mark> q'],
    ['‹×› and ‹×›', '<mark>‹×›</mark> and <mark>‹×›</mark>'],
    ['open ‹<script>', 'open <mark>‹&lt;script&gt;</mark>'],
    ['stray › close', 'stray › close'],
    ['‹</mark><script>›', '<mark>‹&lt;/mark&gt;&lt;script&gt;›</mark>'],
  ])('%s', (input, expected) => {
    expect(markUnsafe(input).toString()).toBe(expected)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [59.9, '59 s'],
    [60, '1 min'],
    [3600, '1 h'],
    [3660, '1 h 1 min'],
    [86_400 * 3 + 3600 * 4, '3 d 4 h'],
    [-5, '0 s'],
  ])('%d s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected)
  })
})
