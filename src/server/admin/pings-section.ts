import type { ExportMode } from '../../protocol/config.js'
import type { PingMetrics } from '../pings/ping-metrics.js'
import type { PendingPing } from '../pings/ping-worker.js'
import type { PingRecord } from '../stores/server-event-store.js'
import { formatDay } from '../insights/days.js'
import { ago, cutText, time } from './format.js'
import { html, type Html } from './html.js'

/** What the admin page shows of the daily ping. */
export interface PingsView {
  /** The pings the next run sends, oldest first, as built now. */
  pending: readonly PendingPing[]
  /** The latest days the gateway answered, newest first. */
  recent: readonly PingRecord[]
  metrics: PingMetrics
}

/** Characters of one ping's JSON the page shows; the rest is counted. */
const maxShownChars = 4000

function body(text: string): Html {
  const shown = cutText(text, maxShownChars)
  return html`<pre data-testid="ping-json">${shown.text}</pre>
    ${
      shown.cut &&
      html`<p class="muted cut">
        cut: ${maxShownChars.toLocaleString('en-US')} of ${shown.totalChars.toLocaleString('en-US')}
        characters shown
      </p>`
    }`
}

/**
 * The daily ping: the days waiting to leave and the latest the gateway answered, each with
 * its JSON exactly as it leaves (or left). Pings are numbers and feature and action names.
 */
export function pingsSection(mode: ExportMode, view: PingsView | undefined, now: Date): Html {
  const notice = (text: string) => html`<p class="notice" data-testid="pings-notice">${text}</p>`
  if (mode === 'off') return notice('Export mode is off: no daily ping leaves this instance.')
  if (view === undefined) {
    return notice('No gateway is configured: no daily ping leaves yet.')
  }
  const { pending, recent, metrics } = view
  const error = metrics.lastError
  const rows = [
    ...pending.map(
      ({ ping, body: text }) =>
        html`<tr data-testid="ping-row" data-day="${ping.day}" data-status="pending">
          <td><strong>${ping.day}</strong></td>
          <td>pending</td>
          <td>${body(text)}</td>
        </tr>`,
    ),
    ...recent.map(
      record =>
        html`<tr
          data-testid="ping-row"
          data-day="${formatDay(record.day)}"
          data-status="${record.status}"
        >
          <td><strong>${formatDay(record.day)}</strong></td>
          <td>
            ${record.status === 'sent' ? 'acknowledged' : 'refused'}
            <div class="muted">${time(record.settledAt)} (${ago(record.settledAt, now)})</div>
            ${record.reason !== null && html`<div class="bad">${record.reason}</div>`}
          </td>
          <td>${body(record.body)}</td>
        </tr>`,
    ),
  ]
  return html`<p class="muted" data-testid="pings-summary">
      One summary a UTC day, for the last completed day, to <code>POST /v1/pings</code>: active
      users and, per feature and action, events and users. ${metrics.sent} acknowledged and
      ${metrics.refused} refused since start; ${pending.length} waiting.
      ${error && html`<span class="bad">Last error ${time(error.at)}: ${error.message}</span>`} The
      same pings as <code>tally export --preview</code>.
    </p>
    ${
      rows.length === 0
        ? notice('No ping yet: the first goes once a day with stored events completes.')
        : html`<table>
            <colgroup>
              <col class="event" />
              <col class="event" />
              <col class="leaves" />
            </colgroup>
            <thead>
              <tr>
                <th>Day</th>
                <th>Status</th>
                <th>Leaves this instance as</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }`
}
