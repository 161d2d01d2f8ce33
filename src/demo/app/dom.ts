type Child = Node | string | number | false | null | undefined
type Attributes = Record<string, string | number | boolean | undefined>

/**
 * Creates an element: attributes set as given (`true` as an empty attribute; `false` and
 * `undefined` left out), `class` as the class name, children appended with strings as text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(child instanceof Node ? child : String(child))
  }
  return element
}

/** Sets an element's text only when it changed, so that a live panel does not churn the DOM. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text
}
