import { barChart } from './charts/bar-chart.js'
import { formatDay } from '../insights/days.js'
import { html, type Html } from './html.js'
import type { Explorer, ExplorerGroup } from './usage-explorer.js'
import { explorerGroups } from './usage-explorer.js'

const field = (name: string, label: string, value: string, placeholder: string) =>
  html`<label
    >${label}
    <input
      name="${name}"
      value="${value}"
      placeholder="${placeholder}"
      data-testid="explorer-${name}"
  /></label>`

/** The explorer's form (a GET, so that every answer has a link), its total and its series. */
export function explorerSection(explorer: Explorer, usagePath: string, windowDays: number): Html {
  const { form } = explorer
  const wheres = form.where.length === 0 ? [''] : form.where
  const option = (group: ExplorerGroup) =>
    html`<option value="${group}" ${group === form.group ? html`selected` : ''}>${group}</option>`
  return html`<section id="explorer">
    <h2>Events explorer</h2>
    <p class="muted window" data-testid="explorer-window">
      Stored events matching every filter, ${form.from} … ${form.to}, by ${form.group}. A metadata
      filter KEY:VALUE on 0 or 1 reads the daily rollups; on another value, or with a user, the raw
      events, which are kept for less time.
    </p>
    <form class="explorer" method="get" action="${usagePath}#explorer">
      <input type="hidden" name="window" value="${windowDays}" />
      ${field('feature', 'Feature', form.feature, 'search')}
      ${field('action', 'Action', form.action, 'submitted')}
      ${field('user', 'User', form.user, '42')}
      ${wheres.map(value => field('where', 'Metadata', value, 'regex:1'))}
      <label
        >From <input type="date" name="from" value="${form.from}" data-testid="explorer-from"
      /></label>
      <label>To <input type="date" name="to" value="${form.to}" data-testid="explorer-to" /></label>
      <label
        >By
        <select name="group" data-testid="explorer-group">
          ${explorerGroups.map(option)}
        </select></label
      >
      <button type="submit" class="primary">Count</button>
    </form>
    ${explorer.ok ? explorerAnswer(explorer) : html`<p class="notice error" data-testid="explorer-error">${explorer.message}</p>`}
  </section>`
}

/**
 * Where the counts were read from and since when it holds events: a window that starts before
 * that day is answered for the days it holds only, and the page says so.
 */
function coverageNote({ question, total }: Extract<Explorer, { ok: true }>): Html {
  const { source, since } = total.coverage
  const name = source === 'rollups' ? 'the daily rollups' : 'the raw events'
  // Both are YYYY-MM-DD, so the text order is the days' order.
  const partial = since !== null && formatDay(question.from) < since
  const held =
    since === null
      ? 'which hold no events yet'
      : `which hold events from ${since} on${partial ? ': the days before it are not counted' : ''}`
  return html`<p class="${partial ? 'notice' : 'muted'}" data-testid="explorer-coverage">
    Read from ${name}, ${held}.
  </p>`
}

function explorerAnswer(explorer: Extract<Explorer, { ok: true }>): Html {
  const { total, buckets, form } = explorer
  return html`<p>
      <span class="figure" data-testid="explorer-events">${total.events}</span> events by
      <span data-testid="explorer-users">${total.users}</span> users
    </p>
    ${coverageNote(explorer)}
    ${barChart({
      label: `Events matching the filters by ${form.group}, ${form.from} … ${form.to}`,
      unit: 'events',
      bars: buckets.map(bucket => ({ label: bucket.label, value: bucket.answer.events })),
      color: '#3451b2',
      maxXLabels: 8,
      width: 1200,
      testId: 'explorer-chart',
    })}
    <details>
      <summary>The figures by ${form.group}</summary>
      <table class="figures" data-testid="explorer-table">
        <thead>
          <tr>
            <th>${form.group}</th>
            <th class="number">Events</th>
            <th class="number">Users</th>
          </tr>
        </thead>
        <tbody>
          ${buckets.map(
            bucket =>
              html`<tr data-testid="explorer-row" data-from="${bucket.from}" data-to="${bucket.to}">
                <td>${bucket.label}</td>
                <td class="number" data-testid="explorer-row-events">${bucket.answer.events}</td>
                <td class="number" data-testid="explorer-row-users">${bucket.answer.users}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>`
}
