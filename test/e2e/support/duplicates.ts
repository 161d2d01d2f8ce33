/** Ids that occur more than once, each counted once per extra occurrence. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>()
  const repeated: string[] = []
  for (const id of ids) {
    if (seen.has(id)) repeated.push(id)
    else seen.add(id)
  }
  return repeated
}
