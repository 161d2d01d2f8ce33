// The demo app that `tally serve` shows at `/`. It imports only the published entry point,
// so that it proves the public API: rollup.demo.mjs resolves 'tally-telemetry' to dist/.
import { createTelemetry } from 'tally-telemetry'
import { h } from './dom.js'
import { createNotebookView } from './notebook-view.js'
import { createSearchView } from './search-view.js'
import { currentUser, signIn, signOut } from './session.js'
import { createStatsPanel } from './stats-panel.js'

const root = document.getElementById('app') ?? document.body

function logo(): HTMLElement {
  return h('a', { href: '#/search', class: 'brand' }, h('span', { class: 'mark' }, 'T'), 'Tally')
}

function signInScreen(): HTMLElement {
  const user = h('input', {
    name: 'user',
    value: 'alice',
    required: true,
    pattern: '[a-z][a-z0-9\\-]{0,31}',
    maxlength: 32,
    title: 'Up to 32 lowercase letters, digits or hyphens, starting with a letter',
    autocomplete: 'username',
    spellcheck: false,
    'data-testid': 'sign-in-user',
    'aria-label': 'User name',
  })
  const problem = h('p', { class: 'error', 'data-testid': 'sign-in-error', hidden: true })
  const submit = h(
    'button',
    { type: 'submit', class: 'button primary', 'data-testid': 'sign-in-submit' },
    'Sign in',
  )
  const form = h(
    'form',
    { class: 'panel sign-in', 'data-testid': 'sign-in' },
    h('h1', {}, 'Sign in as'),
    h(
      'p',
      {},
      'Any name will do. The instance signs a session cookie for it and derives the user of ' +
        'every event from that cookie, never from the events.',
    ),
    user,
    problem,
    submit,
  )
  form.addEventListener('submit', event => {
    event.preventDefault()
    submit.disabled = true
    void signIn(user.value.trim()).then(
      message => {
        if (message === undefined) {
          // A fresh page starts a client that sends with the new cookie.
          location.reload()
          return
        }
        problem.hidden = false
        problem.textContent = message
        submit.disabled = false
      },
      (error: unknown) => {
        problem.hidden = false
        problem.textContent = `Cannot reach the instance: ${String(error)}`
        submit.disabled = false
      },
    )
  })
  return h('div', { class: 'center' }, logo(), form)
}

function app(user: string): HTMLElement {
  // The panel needs the client and the client reports to the panel: errors reach it once
  // both exist (the client reports nothing while it is being created).
  let showError = (_message: string) => {}
  const telemetry = createTelemetry({
    client: { name: 'demo', version: '0.1.0' },
    onError: error => {
      showError(`${error.code}: ${error.message}`)
    },
  })
  // For the end-to-end tests. Not declared on Window: the e2e fixtures declare their own.
  Object.assign(window, { telemetry })
  const stats = createStatsPanel(telemetry)
  showError = stats.error
  const recorded = stats.recorded

  const search = createSearchView({ telemetry, recorded })
  const main = h('main', { class: 'content' })
  const navSearch = h('a', { href: '#/search', 'data-testid': 'nav-search' }, 'Search')
  const navNotebook = h('a', { href: '#/notebook', 'data-testid': 'nav-notebook' }, 'Notebook')
  const signOutButton = h(
    'button',
    { type: 'button', class: 'button subtle', 'data-testid': 'sign-out' },
    'Sign out',
  )
  signOutButton.addEventListener('click', () => {
    void telemetry
      .shutdown()
      .then(signOut)
      .finally(() => {
        location.reload()
      })
  })

  const route = () => {
    const notebook = location.hash === '#/notebook'
    navSearch.classList.toggle('active', !notebook)
    navNotebook.classList.toggle('active', notebook)
    if (notebook) {
      main.replaceChildren(createNotebookView())
      telemetry.recordEvent('notebook', 'viewed', { version: 1 })
      recorded('notebook', 'viewed')
    } else {
      main.replaceChildren(search)
    }
  }
  window.addEventListener('hashchange', route)
  route()

  return h(
    'div',
    { class: 'shell' },
    h(
      'header',
      { class: 'topbar' },
      logo(),
      h('nav', {}, navSearch, navNotebook),
      h(
        'div',
        { class: 'account' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, user.slice(0, 1).toUpperCase()),
        h('span', { 'data-testid': 'user' }, user),
        signOutButton,
      ),
    ),
    h('div', { class: 'layout' }, main, stats.element),
  )
}

async function start(): Promise<void> {
  let user: string | null
  try {
    user = await currentUser()
  } catch (error) {
    root.replaceChildren(
      h(
        'div',
        { class: 'center' },
        logo(),
        h('p', { class: 'panel error' }, `Cannot reach the instance: ${String(error)}`),
      ),
    )
    return
  }
  root.replaceChildren(user === null ? signInScreen() : app(user))
}

void start()
