import { redactable, type Telemetry } from 'tally-telemetry'
import { h } from './dom.js'
import { fakeResults, type FakeResult } from './fake-results.js'

export interface SearchViewOptions {
  telemetry: Telemetry
  /** Called after each recorded event, for the activity list. */
  recorded: (feature: string, action: string) => void
}

function invalidPattern(query: string): string | undefined {
  try {
    new RegExp(query)
    return undefined
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // V8 says "Invalid regular expression: /a(/: …" already; Firefox and Safari do not.
    return message.startsWith('Invalid regular expression')
      ? message
      : `Invalid regular expression: ${message}`
  }
}

/** The code-search screen. Built once and kept, so that results survive a trip to the notebook. */
export function createSearchView({ telemetry, recorded }: SearchViewOptions): HTMLElement {
  const input = h('input', {
    type: 'search',
    name: 'q',
    class: 'search-input',
    'data-testid': 'search-input',
    placeholder: 'Search code, e.g. parseQuery or repo:acme/web useState',
    'aria-label': 'Search query',
    autocomplete: 'off',
    spellcheck: false,
    autofocus: true,
  })
  const regex = h('input', { type: 'checkbox', name: 'regex', 'data-testid': 'search-regex' })
  const form = h(
    'form',
    { class: 'search-form', role: 'search', 'data-testid': 'search-form' },
    input,
    h(
      'label',
      { class: 'toggle', title: 'Interpret the query as a regular expression' },
      regex,
      '.*',
    ),
    h(
      'button',
      { type: 'submit', class: 'button primary', 'data-testid': 'search-submit' },
      'Search',
    ),
  )
  const suggestions = h('div', { class: 'suggestions' }, 'Try')
  for (const [query, isRegex] of [
    ['parseQuery', false],
    ['repo:acme/web useState', false],
    ['func\\s+Test\\w+', true],
  ] as const) {
    const button = h('button', { type: 'button' }, query)
    button.addEventListener('click', () => {
      input.value = query
      regex.checked = isRegex
      form.requestSubmit()
    })
    suggestions.append(button)
  }
  const summary = h('p', {
    class: 'summary',
    'data-testid': 'search-summary',
    'aria-live': 'polite',
  })
  const list = h('ol', { class: 'results', 'data-testid': 'results' })
  const intro = h(
    'div',
    { class: 'intro' },
    h('h1', {}, 'Search your code'),
    h(
      'p',
      {},
      'Every search and jump below records a telemetry event. The counters on the right show ' +
        'the client queueing them, sending them in batches and the instance acknowledging them.',
    ),
  )

  const showResults = (
    query: string,
    isRegex: boolean,
    results: FakeResult[],
    problem?: string,
  ) => {
    list.replaceChildren()
    if (problem !== undefined) {
      summary.replaceChildren(h('span', { class: 'error' }, problem))
      return
    }
    const repositories = new Set(results.map(result => result.repository)).size
    summary.replaceChildren(
      h('strong', {}, String(results.length)),
      ` results for `,
      h('code', {}, query),
      isRegex ? ' (regex)' : '',
      ` in ${repositories} ${repositories === 1 ? 'repository' : 'repositories'}`,
    )
    results.forEach((result, index) => {
      const goTo = h(
        'a',
        { href: '#/search', class: 'goto', 'data-testid': 'goto-definition' },
        'Go to definition',
      )
      const item = h(
        'li',
        { class: 'result' },
        h(
          'header',
          {},
          h('span', { class: 'repo' }, result.repository),
          h('span', { class: 'path' }, `${result.path}:${result.line}`),
          goTo,
        ),
        h(
          'pre',
          {},
          h('span', { class: 'line-number' }, String(result.line)),
          h('code', {}, result.before, h('mark', {}, result.match), result.after),
        ),
      )
      goTo.addEventListener('click', event => {
        event.preventDefault()
        telemetry.recordEvent('blob.codeintel', 'goToDefinition', {
          version: 1,
          metadata: { resultIndex: index },
        })
        recorded('blob.codeintel', 'goToDefinition')
        for (const other of list.querySelectorAll('.result.active'))
          other.classList.remove('active')
        item.classList.add('active')
        const note = item.querySelector('.definition') ?? h('p', { class: 'definition' })
        note.textContent = `${result.symbol} is defined in ${result.path}:${Math.max(1, result.line - 17)}`
        item.append(note)
      })
      list.append(item)
    })
  }

  form.addEventListener('submit', event => {
    event.preventDefault()
    const query = input.value.trim()
    if (query === '') {
      input.focus()
      return
    }
    const isRegex = regex.checked
    const problem = isRegex ? invalidPattern(query) : undefined
    const results = problem === undefined ? fakeResults(query, isRegex) : []
    telemetry.recordEvent('search', 'submitted', {
      version: 1,
      metadata: { regex: isRegex ? 1 : 0, resultCount: results.length },
      // The query is the user's text: only in privateMetadata, and unsafe as a whole.
      privateMetadata: { query: redactable`${query}` },
    })
    recorded('search', 'submitted')
    intro.hidden = true
    suggestions.hidden = true
    showResults(query, isRegex, results, problem)
  })

  return h(
    'section',
    { class: 'view search', 'data-testid': 'search-view' },
    intro,
    form,
    suggestions,
    summary,
    list,
  )
}
