import { layout } from './admin-layout.js'
import { html, type Html } from './html.js'

export interface SignInPageOptions {
  /** Where the admin routes are mounted: the form posts to `<basePath>/sign-in`. */
  basePath: string
  /** Why the last attempt failed. */
  error?: string
}

/** The sign-in form shown at `/admin` (and anywhere under it) to whoever is not signed in. */
export function signInPage({ basePath, error }: SignInPageOptions): Html {
  return layout(
    'Sign in · Tally admin',
    html`<main>
      <form class="sign-in" method="post" action="${basePath}/sign-in" data-testid="sign-in">
        <h1>Tally admin</h1>
        <p class="muted">
          The export mode, the backlog and exactly what the next export sends. Sign in with this
          instance's admin token.
        </p>
        ${error !== undefined && html`<p class="error" role="alert" data-testid="sign-in-error">${error}</p>`}
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
        />
        <button class="primary" type="submit">Sign in</button>
      </form>
    </main>`,
  )
}
