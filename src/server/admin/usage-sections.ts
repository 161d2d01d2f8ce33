import { formatDay } from '../insights/days.js'
import type { FeatureUsage } from '../insights/answers.js'
import { barChart } from './charts/bar-chart.js'
import { lineChart } from './charts/line-chart.js'
import { html, type Html } from './html.js'
import type { UsageData } from './usage-data.js'
import { decimal, formatSpan, percent } from './usage-format.js'
import { usageHref } from './usage-links.js'

export const activeColors = { dau: '#3451b2', wau: '#1a7f37', mau: '#b26b00' } as const

/** A section's heading with the window its figures cover. */
export const sectionHead = (title: string, windowText: string, testId: string): Html =>
  html`<h2>${title}</h2>
    <p class="muted window" data-testid="${testId}-window">${windowText}</p>`

/** dau, wau, mau at the window's last day as cards, and at each of its days as lines. */
export function activeUsersSection(data: UsageData): Html {
  const { activeSeries, span } = data
  const last = activeSeries[activeSeries.length - 1]
  const card = (title: string, testId: string, value: string | number, note: string) =>
    html`<div class="card">
      <h3>${title}</h3>
      <div class="figure" data-testid="${testId}">${value}</div>
      <p class="muted">${note}</p>
    </div>`
  return html`<section id="active-users">
    ${sectionHead(
      'Active users',
      `Each day of ${formatSpan(span.from, span.to)}: dau over 1 day, wau over 7, mau over 30 days ending that day.`,
      'active-users',
    )}
    <div class="cards">
      ${card('DAU', 'dau', last?.dau ?? 0, `on ${last?.at ?? ''}`)}
      ${card('WAU', 'wau', last?.wau ?? 0, 'the 7 days ending then')}
      ${card('MAU', 'mau', last?.mau ?? 0, 'the 30 days ending then')}
      ${card(
        'Stickiness',
        'stickiness',
        percent(last?.stickiness ?? 0, 1),
        'mean DAU over the 30 days ÷ MAU',
      )}
    </div>
    ${lineChart({
      label: `Daily, weekly and monthly active users, ${formatSpan(span.from, span.to)}`,
      unit: 'users',
      xLabels: activeSeries.map(answer => answer.at),
      series: (['dau', 'wau', 'mau'] as const).map(key => ({
        name: key,
        color: activeColors[key],
        values: activeSeries.map(answer => answer[key]),
      })),
      width: 1200,
      testId: 'active-users-chart',
    })}
  </section>`
}

/** Users by their active days of 30, with the power-user line at `minDays`. */
export function histogramSection(data: UsageData): Html {
  const { power, minDays, span } = data
  return html`<section id="power-users">
    ${sectionHead(
      'Activity',
      `Users by the days they were active of the 30 days ${formatSpan(span.to - 29, span.to)}; power users are active on ${minDays} or more.`,
      'power-users',
    )}
    <p>
      <span class="figure" data-testid="power-users">${power.powerUsers}</span>
      power users (active ${minDays}+ days of 30)
    </p>
    ${barChart({
      label: `Users by active days of 30 ending ${formatDay(span.to)}, power users from ${minDays} days`,
      unit: 'users',
      bars: power.histogram.map(entry => ({ label: String(entry.days), value: entry.users })),
      color: '#3451b2',
      marker: { beforeIndex: minDays - 1, label: `power users (${minDays}+ days)` },
      xCaption: 'active days of 30',
      testId: 'histogram-chart',
    })}
  </section>`
}

/** The window's events against the previous window's: ▲ more, ▼ fewer, "new" when it had none. */
function trend(
  current: FeatureUsage,
  previous: FeatureUsage | undefined,
  windowDays: number,
): Html {
  if (previous === undefined) {
    return html`<span class="trend up" title="no events in the previous ${windowDays} days"
      >new</span
    >`
  }
  const delta = current.events - previous.events
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '='
  const tone = delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat'
  return html`<span
    class="trend ${tone}"
    data-testid="feature-trend"
    data-value="${delta}"
    title="${current.events} events against ${previous.events} in the previous ${windowDays} days; active days per user ${decimal(current.activeDaysPerUser)} against ${decimal(previous.activeDaysPerUser)}"
    >${arrow} ${Math.abs(delta)}</span
  >`
}

/** Features, stickiest first, each with its trend and a link into the explorer. */
export function featuresSection(data: UsageData, usagePath: string): Html {
  const { features, previousFeatures, span } = data
  const before = new Map(previousFeatures.features.map(usage => [usage.feature, usage]))
  const rows = features.features.map(
    usage =>
      html`<tr data-testid="feature-row" data-feature="${usage.feature}">
        <td>
          <a
            href="${usageHref(usagePath, span.window, { feature: usage.feature, from: span.from, to: span.to })}"
            ><code>${usage.feature}</code></a
          >
        </td>
        <td class="number" data-testid="feature-active-days">
          ${decimal(usage.activeDaysPerUser)}
        </td>
        <td class="number" data-testid="feature-users">${usage.users}</td>
        <td class="number" data-testid="feature-events">${usage.events}</td>
        <td class="number">${trend(usage, before.get(usage.feature), span.window)}</td>
      </tr>`,
  )
  return html`<section id="features">
    ${sectionHead(
      'Features by stickiness',
      `${formatSpan(span.from, span.to)}; trend: events against ${formatSpan(span.from - span.window, span.from - 1)}.`,
      'features',
    )}
    <p>
      <span class="figure" data-testid="features-active-users">${features.activeUsers}</span>
      active users in the window
    </p>
    ${
      rows.length === 0
        ? html`<p class="notice">No events in this window.</p>`
        : html`<table class="figures" data-testid="features-table">
            <thead>
              <tr>
                <th>Feature</th>
                <th class="number">Active days per user</th>
                <th class="number">Users</th>
                <th class="number">Events</th>
                <th class="number">Trend (events)</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </section>`
}

/** The share of sessions that used two features or more. */
export function sessionsSection(data: UsageData): Html {
  const { sessions, span } = data
  return html`<section id="sessions">
    ${sectionHead('Multi-feature sessions', formatSpan(span.from, span.to), 'sessions')}
    <p>
      <span class="figure" data-testid="multi-feature-share"
        >${percent(sessions.multiFeature, sessions.sessions)}</span
      >
      of <span data-testid="sessions">${sessions.sessions}</span> sessions used two features or more
      (<span data-testid="multi-feature">${sessions.multiFeature}</span>).
    </p>
  </section>`
}
