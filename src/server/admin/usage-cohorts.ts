import { formatDay } from '../insights/days.js'
import { stackedBarChart } from './charts/stacked-bar-chart.js'
import { html, type Html } from './html.js'
import type { UsageData } from './usage-data.js'
import { formatSpan, percent } from './usage-format.js'
import { userHref } from './usage-links.js'
import { sectionHead } from './usage-sections.js'

export const lifecycleColors = {
  new: '#3451b2',
  returning: '#1a7f37',
  resurrecting: '#8250df',
  dormant: '#b42318',
} as const

/** New, returning and resurrecting users stacked up, dormant ones down, week by week. */
export function lifecycleSection(data: UsageData): Html {
  const { lifecycle, weeks, span } = data
  const series = (names: readonly (keyof typeof lifecycleColors)[]) =>
    names.map(name => ({ name, color: lifecycleColors[name] }))
  return html`<section id="lifecycle">
    ${sectionHead(
      'Lifecycle',
      `${weeks} weeks of 7 days, the last ending ${formatDay(span.to)}.`,
      'lifecycle',
    )}
    ${stackedBarChart({
      label: `Users by lifecycle, ${weeks} weeks ending ${formatDay(span.to)}`,
      up: series(['new', 'returning', 'resurrecting']),
      down: series(['dormant']),
      bars: lifecycle.weeks.map(week => ({
        label: week.start,
        values: [week.new, week.returning, week.resurrecting, week.dormant],
      })),
      testId: 'lifecycle-chart',
    })}
  </section>`
}

/** A cell's shade, by tenths of the cohort: a class, since the admin CSP allows no inline style. */
const shade = (part: number, whole: number) =>
  `shade-${whole === 0 ? 0 : Math.min(10, Math.round((part / whole) * 10))}`

/** Cohorts by the week of their first activity, and how many came back each week after. */
export function retentionSection(data: UsageData): Html {
  const { retention, weeks, span } = data
  return html`<section id="retention">
    ${sectionHead(
      'Retention',
      `Users by the week they were first active, ${weeks} weeks ending ${formatDay(span.to)}: active in each week since.`,
      'retention',
    )}
    <table class="retention" data-testid="retention-table">
      <thead>
        <tr>
          <th>First week</th>
          <th class="number">Users</th>
          ${Array.from({ length: weeks }, (_, week) => html`<th class="number">Week ${week}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${retention.cohorts.map(
          cohort =>
            html`<tr data-testid="retention-row" data-start="${cohort.start}">
              <td>${cohort.start}</td>
              <td class="number" data-testid="retention-size">${cohort.size}</td>
              ${Array.from({ length: weeks }, (_, week) => {
                const active = cohort.active[week]
                return active === undefined
                  ? html`<td></td>`
                  : html`<td
                      class="number ${shade(active, cohort.size)}"
                      data-testid="retention-cell"
                      data-value="${active}"
                      title="${active} of ${cohort.size} users"
                    >
                      ${percent(active, cohort.size)}
                    </td>`
              })}
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`
}

/** Users who were regulars and have gone quiet, each linked to their activity. */
export function atRiskSection(data: UsageData, usagePath: string): Html {
  const { atRisk, span } = data
  return html`<section id="at-risk">
    ${sectionHead(
      'At risk',
      `Active on 4 or more days of ${formatSpan(span.to - 41, span.to - 14)}, and on none of ${formatSpan(span.to - 13, span.to)}.`,
      'at-risk',
    )}
    ${
      atRisk.users.length === 0
        ? html`<p class="notice" data-testid="at-risk-empty">No user is at risk.</p>`
        : html`<table class="figures" data-testid="at-risk-table">
            <thead>
              <tr>
                <th>User</th>
                <th class="number">Active days (of 28)</th>
                <th>Last active</th>
              </tr>
            </thead>
            <tbody>
              ${atRisk.users.map(
                user =>
                  html`<tr data-testid="at-risk-row" data-user="${user.userId}">
                    <td>
                      <a href="${userHref(usagePath, user.userId, span.window)}"
                        >user ${user.userId}</a
                      >
                    </td>
                    <td class="number">${user.activeDays}</td>
                    <td>${user.lastActive}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`
}
