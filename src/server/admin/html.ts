const constructionKey: unique symbol = Symbol('Html')

/**
 * HTML built from template strings, escaped by construction: every value interpolated into
 * {@link html} is escaped unless it is itself the output of {@link html}. There is no way to
 * mark a plain string as trusted markup, so none can slip in.
 */
export class Html {
  /** Only {@link html} holds the key, so only it makes markup. */
  constructor(
    private readonly markup: string,
    key: typeof constructionKey,
  ) {
    if (key !== constructionKey) throw new TypeError('Html is made by the html`…` tag only')
  }

  toString(): string {
    return this.markup
  }
}

/**
 * What may sit in an `html` template. `false`, `null` and `undefined` render nothing (for
 * `${condition && html`…`}`); arrays render each item. Objects are refused by the type, so
 * that nothing renders as `[object Object]` by accident.
 */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[]

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * Bidirectional formatting characters: the embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). Shown raw, they reorder the text
 * around them, so that a stored value can make a page read other than it is (CVE-2021-42574,
 * "Trojan Source").
 */
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * Escapes text for an HTML text node or a quoted attribute value. Quotes are escaped too, so the
 * same helper is safe in `"…"` and `'…'` attributes; unquoted attributes are never used. Bidi
 * controls are shown visibly escaped, as `<U+202E>`, never applied.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, character => entities[character] ?? character)
    .replace(
      bidiControls,
      control => `&lt;U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}&gt;`,
    )
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString()
  if (value === false || value === null || value === undefined) return ''
  if (typeof value === 'number') return escapeHtml(String(value))
  if (typeof value === 'string') return escapeHtml(value)
  return value.map(render).join('')
}

/** Tagged template: the literal parts are markup, every interpolated value is escaped. */
export function html(literals: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  // A real template's strings are frozen; an array passed by hand would turn data into markup.
  if (!Object.isFrozen(literals) || !Array.isArray(literals.raw)) {
    throw new TypeError('html must be used as a tagged template')
  }
  let markup = literals[0] ?? ''
  for (let index = 0; index < values.length; index++) {
    markup += render(values[index])
    markup += literals[index + 1] ?? ''
  }
  return new Html(markup, constructionKey)
}
