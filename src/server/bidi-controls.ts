/**
 * Bidirectional formatting characters: the embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). Shown raw, they reorder the text
 * around them, so that a stored value can make a page or a terminal read other than it is
 * (CVE-2021-42574, "Trojan Source"). Global: use with `replace`.
 */
export const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `U+202E` for a character. */
export function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * JSON for a terminal: the same value, with every bidi control written as its `\u` escape,
 * which any JSON reader turns back into the character but no terminal applies.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    bidiControls,
    character => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  )
}
