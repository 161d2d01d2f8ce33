import { layout } from './admin-layout.js'
import { time } from './format.js'
import { html, type Html } from './html.js'
import { atRiskSection, lifecycleSection, retentionSection } from './usage-cohorts.js'
import { usageWindows, type UsageData, type UsageSpan } from './usage-data.js'
import { explorerSection } from './usage-explorer-section.js'
import { formatSpan } from './usage-format.js'
import { usageHref, type UsagePlace } from './usage-links.js'
import {
  activeUsersSection,
  featuresSection,
  histogramSection,
  sessionsSection,
} from './usage-sections.js'

/** The header of the usage pages: back home (the admin or fleet page), and the form to open a user. */
export function usageHeader(place: UsagePlace, span: UsageSpan): Html {
  return html`<header>
    <h1>Tally <span>usage</span></h1>
    <div>
      <a href="${place.home.href}">${place.home.label}</a>
      <a href="${usageHref(place.path, span.window)}">Usage</a>
      <form class="inline" method="get" action="${place.path}/user">
        <input type="hidden" name="window" value="${span.window}" />
        <input name="id" placeholder="user id" size="8" aria-label="User id" />
        <button type="submit">Open user</button>
      </form>
    </div>
  </header>`
}

/** The window links (7, 30, 90 days) and when the figures were computed. */
export function windowBar(
  span: UsageSpan,
  computedAt: Date,
  href: (windowDays: number) => string,
): Html {
  return html`<nav class="windows" aria-label="Window">
    ${usageWindows.map(days =>
      days === span.window
        ? html`<strong aria-current="page" data-testid="window-current">last ${days} days</strong>`
        : html`<a href="${href(days)}">last ${days} days</a>`,
    )}
    <span class="muted"
      >${formatSpan(span.from, span.to)} · computed at
      <span data-testid="computed-at">${time(computedAt)}</span></span
    >
  </nav>`
}

/** The usage page: every figure a question's answer, as the insights API answers it. */
export function usagePage(data: UsageData, place: UsagePlace, notice?: string): Html {
  const { span } = data
  return layout(
    `Usage · ${place.title}`,
    html`${usageHeader(place, span)}
      <main class="usage">
        ${windowBar(span, data.computedAt, days => usageHref(place.path, days))}
        ${activeUsersSection(data)}
        <div class="columns">
          <div>${histogramSection(data)}</div>
          <div>${sessionsSection(data)} ${atRiskSection(data, place.path)}</div>
        </div>
        ${featuresSection(data, place.path)}
        <div class="columns">
          <div>${lifecycleSection(data)}</div>
          <div>${retentionSection(data)}</div>
        </div>
        ${explorerSection(data.explorer, place.path, span.window)}
      </main>`,
    notice,
  )
}

/** The page for a store that keeps no insights (one without rollups). */
export function usageUnavailablePage(place: UsagePlace): Html {
  return layout(
    `Usage · ${place.title}`,
    html`<main>
      <p class="notice" data-testid="usage-unavailable">
        This store keeps no usage insights, so there are no usage figures to show.
        <a href="${place.home.href}">Back to the ${place.home.label.toLowerCase()} page</a>.
      </p>
    </main>`,
  )
}
