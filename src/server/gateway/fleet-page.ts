import { layout } from '../admin/admin-layout.js'
import { html, type Html } from '../admin/html.js'
import { windowBar } from '../admin/usage-page.js'
import type { FleetPageData } from './fleet-data.js'
import {
  activeUsersSection,
  featuresSection,
  fellSection,
  instancesSection,
  summarySection,
} from './fleet-sections.js'

/** The fleet page's header: the way home, and signing out. */
export function fleetHeader(): Html {
  return html`<header>
    <h1>Tally <span>fleet</span></h1>
    <div>
      <a href="/">Fleet</a>
      <form class="inline" method="post" action="/sign-out">
        <button type="submit">Sign out</button>
      </form>
    </div>
  </header>`
}

/**
 * The gateway's `/` once signed in: every instance by its latest ping, active users over time,
 * feature adoption, the instances whose activity fell, each instance linked to its usage page.
 * The instances and features are `GET /v1/fleet`'s answer for today, drawn.
 */
export function fleetPage(data: FleetPageData): Html {
  return layout(
    'Tally fleet',
    html`${fleetHeader()}
      <main class="usage">
        ${windowBar(data.span, data.computedAt, days => `/?window=${days}`)} ${summarySection(data)}
        ${instancesSection(data)} ${fellSection(data)} ${activeUsersSection(data)}
        ${featuresSection(data)}
      </main>`,
  )
}
