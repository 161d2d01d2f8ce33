import { h } from './dom.js'

/** A static notebook: the page exists to record `notebook`/`viewed` when it is shown. */
export function createNotebookView(): HTMLElement {
  return h(
    'section',
    { class: 'view notebook', 'data-testid': 'notebook-view' },
    h(
      'div',
      { class: 'notebook-title' },
      h('h1', {}, 'How search ranks results'),
      h('p', { class: 'byline' }, 'Notebook · updated 3 days ago · 4 blocks'),
    ),
    h(
      'article',
      { class: 'block markdown' },
      h(
        'p',
        {},
        'Search parses the query, resolves the repositories it names, then ranks every ' +
          'match by where it sits: definitions first, then tests, then the rest.',
      ),
    ),
    h(
      'article',
      { class: 'block query' },
      h('header', {}, 'Query'),
      h('pre', {}, h('code', {}, 'repo:acme/web type:symbol rankResults')),
    ),
    h(
      'article',
      { class: 'block file' },
      h('header', {}, 'acme/search-indexer · src/search/ranking.ts:42'),
      h(
        'pre',
        {},
        h(
          'code',
          {},
          'export function rankResults(matches: Match[]): Match[] {\n' +
            '  return matches.sort((a, b) => score(b) - score(a))\n' +
            '}',
        ),
      ),
    ),
    h(
      'article',
      { class: 'block markdown' },
      h(
        'p',
        {},
        'Opening this page recorded one event, notebook · viewed, with no data beyond its ' +
          'name and schema version.',
      ),
    ),
  )
}
