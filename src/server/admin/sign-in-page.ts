import { layout } from './admin-layout.js'
import { html, type Html } from './html.js'

/** What a sign-in form says: the instance admin's, or a gateway's fleet page's. */
export interface SignInText {
  title: string
  heading: string
  intro: string
  /** The secret's name, as its field's label. */
  secret: string
}

export const adminSignInText: SignInText = {
  title: 'Sign in · Tally admin',
  heading: 'Tally admin',
  intro:
    "The export mode, the backlog and exactly what the next export sends. Sign in with this instance's admin token.",
  secret: 'Admin token',
}

export interface SignInPageOptions {
  /** Where the pages are mounted: the form posts to `<basePath>/sign-in` (`''` at the root). */
  basePath: string
  /** Why the last attempt failed. */
  error?: string | undefined
  /** @default adminSignInText */
  text?: SignInText
}

/** The sign-in form shown to whoever is not signed in: at `/admin` (and anywhere under it), or a gateway's `/`. */
export function signInPage({ basePath, error, text = adminSignInText }: SignInPageOptions): Html {
  return layout(
    text.title,
    html`<main>
      <form class="sign-in" method="post" action="${basePath}/sign-in" data-testid="sign-in">
        <h1>${text.heading}</h1>
        <p class="muted">${text.intro}</p>
        ${error !== undefined && html`<p class="error" role="alert" data-testid="sign-in-error">${error}</p>`}
        <label for="token">${text.secret}</label>
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
