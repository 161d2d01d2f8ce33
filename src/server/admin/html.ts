import { bidiControls, codePointName } from '../bidi-controls.js'

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
 * Escapes text for an HTML text node or a quoted attribute value. Quotes are escaped too, so the
 * same helper is safe in `"…"` and `'…'` attributes; unquoted attributes are never used. Bidi
 * controls are shown visibly escaped, as `<U+202E>`, never applied.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, character => entities[character] ?? character)
    .replace(bidiControls, control => `&lt;${codePointName(control)}&gt;`)
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
