import { barChart } from '../admin/charts/bar-chart.js'
import { lineChart } from '../admin/charts/line-chart.js'
import { ago } from '../admin/format.js'
import { html, type Html } from '../admin/html.js'
import { decimal, formatSpan, percent } from '../admin/usage-format.js'
import { activeColors, sectionHead } from '../admin/usage-sections.js'
import { formatDay } from '../insights/days.js'
import { declineLookbackDays, quietAfterDays } from './fleet-activity.js'
import { maxChartedInstances, type FleetPageData } from './fleet-data.js'

/** Where an instance's usage page is, at a gateway: its exported events drawn as on the instance. */
export const instanceHref = (instance: string): string =>
  `/instances/${encodeURIComponent(instance)}`

/** Distinct enough for the per-instance chart's few lines. */
const instanceColors = [
  '#3451b2',
  '#1a7f37',
  '#b26b00',
  '#b42318',
  '#6e40c9',
  '#0a7c86',
  '#8a5a00',
  '#5f6b7c',
] as const

/** The whole fleet at a glance. */
export function summarySection(data: FleetPageData): Html {
  const { answer, fell, reporting, today } = data
  const card = (title: string, testId: string, value: number, note: string) =>
    html`<div class="card">
      <h3>${title}</h3>
      <div class="figure" data-testid="${testId}">${value}</div>
      <p class="muted">${note}</p>
    </div>`
  return html`<section class="cards">
    ${card('Instances', 'instance-count', answer.instances.length, `with a ping up to ${formatDay(today)}`)}
    ${card('Reporting', 'reporting-count', reporting, `with a ping of ${formatDay(today - quietAfterDays)} or later`)}
    ${card('Activity fell', 'fell-count', fell.length, 'quiet or declining, below')}
    ${card('Features used', 'feature-count', answer.features.length, 'in the instances’ latest 30 days')}
  </section>`
}

/** dau, wau and mau summed over the instances, and the busiest instances' wau, by day. */
export function activeUsersSection(data: FleetPageData): Html {
  const { days, total, perInstance, span } = data
  const spanText = formatSpan(span.from, span.to)
  return html`<section id="active-users">
    ${sectionHead(
      'Active users across the fleet',
      `Each day of ${spanText}: the sum over instances of the dau, wau and mau of their ping of that day (an instance that sent none adds nothing). Users of different instances are different people.`,
      'active-users',
    )}
    ${lineChart({
      label: `Daily, weekly and monthly active users of all instances, ${spanText}`,
      unit: 'users',
      xLabels: days,
      series: (['dau', 'wau', 'mau'] as const).map(key => ({
        name: key,
        color: activeColors[key],
        values: total[key],
      })),
      width: 1200,
      testId: 'fleet-active-chart',
    })}
    <h2>Weekly active users per instance</h2>
    <p class="muted window" data-testid="per-instance-window">
      ${spanText}: the ${maxChartedInstances} instances with the most weekly users in their latest
      ping; each instance's page has its own figures.
    </p>
    ${lineChart({
      label: `Weekly active users of the busiest instances, ${spanText}`,
      unit: 'users',
      xLabels: days,
      series: perInstance.map((entry, index) => ({
        name: entry.instance,
        color: instanceColors[index % instanceColors.length] ?? '#3451b2',
        values: entry.wau,
      })),
      width: 1200,
      testId: 'per-instance-chart',
    })}
  </section>`
}

/** Every instance's latest ping: its age, its version and its figures, linked to its usage. */
export function instancesSection(data: FleetPageData): Html {
  const { answer, receivedAt, computedAt } = data
  const fell = new Set(data.fell.map(entry => entry.instance))
  return html`<section id="instances">
    ${sectionHead(
      'Instances',
      `Each instance's latest ping up to ${answer.at}: the day it summarized, when it arrived, and that day's active users (wau over 7 days, mau over 30).`,
      'instances',
    )}
    ${
      answer.instances.length === 0
        ? html`<p class="notice" data-testid="instances-empty">No instance has sent a ping.</p>`
        : html`<table class="figures" data-testid="instances-table">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Version</th>
                <th>Last ping</th>
                <th>Received</th>
                <th class="number">DAU</th>
                <th class="number">WAU</th>
                <th class="number">MAU</th>
                <th class="number">Stickiness</th>
              </tr>
            </thead>
            <tbody>
              ${answer.instances.map(entry => {
                const received = receivedAt.get(entry.instance)
                return html`<tr data-testid="instance-row" data-instance="${entry.instance}">
                  <td>
                    <a href="${instanceHref(entry.instance)}" data-testid="instance-link"
                      ><code>${entry.instance}</code></a
                    >
                    ${fell.has(entry.instance) && html`<span class="bad">▼</span>`}
                  </td>
                  <td data-testid="instance-version"><code>${entry.version}</code></td>
                  <td data-testid="instance-last-ping">${entry.lastPingDay}</td>
                  <td class="muted">${received === undefined ? '' : ago(received, computedAt)}</td>
                  <td class="number" data-testid="instance-dau">${entry.dau}</td>
                  <td class="number" data-testid="instance-wau">${entry.wau}</td>
                  <td class="number" data-testid="instance-mau">${entry.mau}</td>
                  <td class="number" data-testid="instance-stickiness">
                    ${percent(entry.stickiness, 1)}
                  </td>
                </tr>`
              })}
            </tbody>
          </table>`
    }
  </section>`
}

/** The instances gone quiet or declining, by the definitions of fleet-activity.ts. */
export function fellSection(data: FleetPageData): Html {
  const { fell, today } = data
  return html`<section id="fell">
    ${sectionHead(
      'Activity fell',
      `Quiet: no ping of a day from ${formatDay(today - quietAfterDays)} on. Declining: the wau of the latest ping is under half the wau of the instance's ping ${declineLookbackDays} days earlier.`,
      'fell',
    )}
    ${
      fell.length === 0
        ? html`<p class="notice" data-testid="fell-empty">No instance's activity fell.</p>`
        : html`<table class="figures" data-testid="fell-table">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Why</th>
                <th>Last ping</th>
              </tr>
            </thead>
            <tbody>
              ${fell.map(
                entry =>
                  html`<tr
                    data-testid="fell-row"
                    data-instance="${entry.instance}"
                    data-reason="${entry.reason}"
                  >
                    <td>
                      <a href="${instanceHref(entry.instance)}"><code>${entry.instance}</code></a>
                    </td>
                    <td>
                      ${
                        entry.reason === 'quiet'
                          ? 'quiet: no recent ping'
                          : `declining: wau ${entry.wau}, against ${entry.wauBefore} ${declineLookbackDays} days before`
                      }
                    </td>
                    <td>${entry.lastPingDay}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`
}

/** Features by how many instances use them, with their users summed. */
export function featuresSection(data: FleetPageData): Html {
  const { answer } = data
  const instances = answer.instances.length
  return html`<section id="features">
    ${sectionHead(
      'Feature adoption',
      'Instances whose latest ping counts events of the feature in its 30 days, and the sum of their users of it.',
      'features',
    )}
    ${
      answer.features.length === 0
        ? html`<p class="notice" data-testid="features-empty">No feature used.</p>`
        : html`${barChart({
              label: 'Instances using each feature in their latest 30 days',
              unit: 'instances',
              bars: answer.features.map(entry => ({
                label: entry.feature,
                value: entry.instances,
              })),
              color: '#3451b2',
              width: 1200,
              testId: 'adoption-chart',
            })}
            <table class="figures" data-testid="features-table">
              <thead>
                <tr>
                  <th>Feature</th>
                  <th class="number">Instances</th>
                  <th class="number">Share of instances</th>
                  <th class="number">Users</th>
                  <th class="number">Users per instance</th>
                </tr>
              </thead>
              <tbody>
                ${answer.features.map(
                  entry =>
                    html`<tr data-testid="feature-row" data-feature="${entry.feature}">
                      <td><code>${entry.feature}</code></td>
                      <td class="number" data-testid="feature-instances">${entry.instances}</td>
                      <td class="number">${percent(entry.instances, instances)}</td>
                      <td class="number" data-testid="feature-users">${entry.users}</td>
                      <td class="number">${decimal(entry.users / entry.instances)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`
}
