import { layout } from './admin-layout.js'
import { html, type Html } from './html.js'
import type { UserUsageData } from './usage-data.js'
import { formatSpan } from './usage-format.js'
import { monthStart, usageHref, userHref, type UsagePlace } from './usage-links.js'
import { usageHeader, windowBar } from './usage-page.js'

/** One user's activity by feature, each feature linked to the explorer for this month. */
export function userUsagePage(data: UserUsageData, place: UsagePlace, notice?: string): Html {
  const { span, activity } = data
  const { userId } = activity
  const thisMonth = monthStart(span.to)
  const flags = data.flags.flags.map(
    flag =>
      html`<li data-testid="user-flag">
        <a
          href="${usageHref(place.path, span.window, {
            feature: flag.feature,
            action: flag.action,
            user: userId,
            where: [`${flag.key}:1`],
            from: data.flagsFrom,
            to: span.to,
          })}"
          ><code>${flag.feature}</code> / <code>${flag.action}</code> with
          <code>${flag.key}:1</code></a
        >
        <span class="muted">(${flag.events} this month)</span>
      </li>`,
  )
  const rows = activity.features.map(
    usage =>
      html`<tr data-testid="user-feature-row" data-feature="${usage.feature}">
        <td><code>${usage.feature}</code></td>
        <td class="number" data-testid="user-feature-events">${usage.events}</td>
        <td class="number" data-testid="user-feature-days">${usage.activeDays}</td>
        <td>
          <a
            data-testid="user-feature-month"
            href="${usageHref(place.path, span.window, {
              feature: usage.feature,
              user: userId,
              from: thisMonth,
              to: span.to,
            })}"
            >this month by day</a
          >
          ·
          <a
            href="${usageHref(place.path, span.window, {
              feature: usage.feature,
              user: userId,
              from: span.from,
              to: span.to,
              group: 'week',
            })}"
            >the window by week</a
          >
        </td>
      </tr>`,
  )
  return layout(
    `User ${userId} · Usage · ${place.title}`,
    html`${usageHeader(place, span)}
      <main class="usage">
        ${windowBar(span, data.computedAt, days => userHref(place.path, userId, days))}
        <h2>User ${userId}: activity by feature</h2>
        <p class="muted window" data-testid="user-window">
          ${formatSpan(span.from, span.to)}: events, and the days on which the user used each
          feature.
        </p>
        <p>
          Active on
          <span class="figure" data-testid="user-active-days">${activity.activeDays}</span> of
          ${span.window} days ·
          <a
            href="${usageHref(place.path, span.window, { user: userId, from: thisMonth, to: span.to })}"
            >all of this month's events</a
          >
        </p>
        ${
          flags.length > 0 &&
          html`<h3>This month's switches</h3>
            <p class="muted">
              The user's events this month with a numeric metadata key at 1, each opening the
              explorer on them (read from the raw events).
            </p>
            <ul class="flags" data-testid="user-flags">
              ${flags}
            </ul>`
        }
        ${
          rows.length === 0
            ? html`<p class="notice" data-testid="user-empty">
                No events of this user in the window.
              </p>`
            : html`<table class="figures" data-testid="user-features-table">
                <thead>
                  <tr>
                    <th>Feature</th>
                    <th class="number">Events</th>
                    <th class="number">Active days</th>
                    <th>Explore</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>`
        }
      </main>`,
    notice,
  )
}
