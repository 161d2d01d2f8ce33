/**
 * Just enough HTML reading for the admin page's tests (the project has no DOM in Node tests):
 * elements found by `data-testid`, matched to their closing tag, read back as text.
 */
export interface Found {
  /** The start tag's attributes, unescaped. */
  attributes: Record<string, string>
  /** The markup between the start and end tags. */
  inner: string
}

const voidElements = new Set(['br', 'col', 'hr', 'img', 'input', 'link', 'meta'])

/** Every element whose `data-testid` is `id`, in document order. */
export function byTestId(markup: string, id: string): Found[] {
  const found: Found[] = []
  const start = /<([a-z][a-z0-9]*)\b([^>]*)>/g
  for (let match = start.exec(markup); match; match = start.exec(markup)) {
    const [tag, name = '', rawAttributes = ''] = match
    const attributes = parseAttributes(rawAttributes)
    if (attributes['data-testid'] !== id) continue
    const from = match.index + tag.length
    if (voidElements.has(name)) {
      found.push({ attributes, inner: '' })
      continue
    }
    found.push({ attributes, inner: markup.slice(from, closing(markup, name, from)) })
  }
  return found
}

/** The one element with this `data-testid`; throws when there is not exactly one. */
export function one(markup: string, id: string): Found {
  const all = byTestId(markup, id)
  if (all.length !== 1) throw new Error(`expected one [data-testid=${id}], found ${all.length}`)
  return all[0] as Found
}

/** Where the element that starts before `from` ends, counting nested elements of its name. */
function closing(markup: string, name: string, from: number): number {
  const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g')
  tags.lastIndex = from
  let depth = 1
  for (let match = tags.exec(markup); match; match = tags.exec(markup)) {
    depth += match[1] === '/' ? -1 : 1
    if (depth === 0) return match.index
  }
  throw new Error(`<${name}> is never closed`)
}

function parseAttributes(raw: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const match of raw.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
    if (match[1]) attributes[match[1]] = unescape(match[2] ?? '')
  }
  return attributes
}

/** The text a browser shows for a fragment: tags dropped, entities decoded. */
export function text(fragment: string): string {
  return unescape(fragment.replace(/<[^>]*>/g, ''))
}

function unescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}
