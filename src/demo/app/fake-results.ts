/** One fake match: where it is and the line around it, with the query in the middle. */
export interface FakeResult {
  repository: string
  path: string
  line: number
  symbol: string
  /** The matched line, cut around the match. */
  before: string
  match: string
  after: string
}

const repositories = ['acme/web', 'acme/api', 'acme/search-indexer', 'acme/infra']

const tsFolders = ['src/search', 'src/codeintel', 'client/web/src/notebooks', 'src/components/blob']
const goFolders = ['internal/search', 'internal/database', 'cmd/frontend/graphqlbackend']
const names = [
  'query-parser',
  'results-panel',
  'symbol-index',
  'repo-resolver',
  'highlight',
  'ranking',
  'tokenizer',
  'cache',
]
const symbols = ['parseQuery', 'rankResults', 'resolveRepo', 'indexSymbols', 'highlightMatch']

const tsLines: [string, string][] = [
  ['const results = await search(', ')'],
  ['// TODO(search): handle ', ' in the tokenizer'],
  ['expect(parse(', ')).toMatchSnapshot()'],
  ["export const placeholder = '", "'"],
]
const goLines: [string, string][] = [
  ['q, err := query.Parse("', '")'],
  ['// ', ' is matched case-insensitively'],
  ['if strings.Contains(pattern, "', '") {'],
]

/** FNV-1a: a stable seed from the query, so that the same search shows the same results. */
function hash(text: string): number {
  let value = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index)
    value = Math.imul(value, 0x01000193)
  }
  return value >>> 0
}

/** mulberry32: a tiny seeded generator; Math.random would change the results on each search. */
function generator(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

const maxMatchLength = 60

/** 3 to 8 plausible matches for a query, always the same ones for the same query and mode. */
export function fakeResults(query: string, regex: boolean): FakeResult[] {
  const random = generator(hash(`${regex ? 're' : 'lit'}:${query}`))
  const count = 3 + Math.floor(random() * 6)
  const match = query.length > maxMatchLength ? `${query.slice(0, maxMatchLength - 1)}…` : query
  const results: FakeResult[] = []
  const seen = new Set<string>()
  while (results.length < count) {
    const go = random() < 0.35
    const folder = pick(random, go ? goFolders : tsFolders)
    const path = `${folder}/${pick(random, names)}${go ? '.go' : '.ts'}`
    const line = 1 + Math.floor(random() * 400)
    const [before, after] = pick(random, go ? goLines : tsLines)
    if (seen.has(`${path}:${line}`)) continue
    seen.add(`${path}:${line}`)
    results.push({
      repository: pick(random, repositories),
      path,
      line,
      symbol: pick(random, symbols),
      before,
      match,
      after,
    })
  }
  return results
}
