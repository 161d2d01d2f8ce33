/*
 * An event's numeric metadata as text that a `where` filter can search without parsing JSON:
 * `,key=value,key=value,`. Metadata keys are letters, digits and `. _ -` (see
 * protocol/validate.ts), so neither `,` nor `=` occurs inside a pair, and `,key=value,` occurs
 * in the text exactly when the event has that pair. A value is written as JavaScript writes a
 * number, which is also how `JSON.stringify` wrote it into the payload: the migrations
 * backfill the same text from the stored payloads, and the text is one-to-one with the
 * number (0 and -0 aside, which are equal).
 */

/** The text a `where` KEY:VALUE searches for. */
export const metadataToken = (key: string, value: number): string => `,${key}=${String(value)},`

/** Every pair of the metadata, in the order it holds them: `,` when there are none. */
export function metadataPairs(metadata: Readonly<Record<string, number>> | undefined): string {
  let text = ','
  if (metadata !== undefined) for (const key in metadata) text += `${key}=${metadata[key]},`
  return text
}

/**
 * The flags of the metadata: its pairs whose value is 0 or 1, by key, `''` when there are
 * none. The flag rollups are keyed by it, so that a `where` on flags alone (`regex:1`,
 * `regex:0&cached:1`) is answered from them exactly whatever else the events carry.
 */
export function flagSignature(metadata: Readonly<Record<string, number>> | undefined): string {
  if (metadata === undefined) return ''
  // Run for every event stored: one flag, the usual case, needs no array and no sort.
  let first: string | undefined
  let flags: string[] | undefined
  for (const key in metadata) {
    const value = metadata[key]
    if (value !== 0 && value !== 1) continue
    const flag = `${key}=${value}`
    if (first === undefined) first = flag
    else (flags ??= [first]).push(flag)
  }
  if (flags !== undefined) return signature(flags)
  return first === undefined ? '' : `,${first},`
}

/**
 * The flags of an event from its stored pairs (`metadataPairs`): the same text as
 * `flagSignature` of its metadata, since a pair's value is written as `${value}`, which is
 * `0` or `1` exactly for those values (and for -0, which is 0).
 */
export function pairsFlagSignature(pairs: string): string {
  const flags: string[] = []
  for (const pair of pairs.split(','))
    if (pair.endsWith('=0') || pair.endsWith('=1')) flags.push(pair)
  return signature(flags)
}

function signature(flags: string[]): string {
  if (flags.length === 0) return ''
  // Pairs are ASCII: the default sort is the byte order in which SQLite's BINARY and
  // PostgreSQL's "C" collations sort the same pairs in the backfill.
  return `,${flags.sort().join(',')},`
}

/** A value a flag rollup holds: where KEY:VALUE pairs with such values are answered from them. */
export const isFlagValue = (value: number): boolean => value === 0 || value === 1
