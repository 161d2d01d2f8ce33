import type { ExportMode } from '../../protocol/config.js'
import type { ExportPreviewItem } from '../export/export-worker.js'
import type { ExportMetrics } from '../export/metrics.js'
import type { ExportStats } from '../stores/server-event-store.js'
import { layout } from './admin-layout.js'
import { ago, cutText, formatDuration, markUnsafe, prettyJson, time } from './format.js'
import { html, type Html } from './html.js'
import { pingsSection, type PingsView } from './pings-section.js'
import { formatPath, removalLabels, removedValues, type RemovedValue } from './removed-values.js'

/** How long the instance keeps what it stores, in days. */
export interface Retention {
  /** Raw events, from receipt, exported or not. */
  rawDays: number
  /** The insights' daily rollups. */
  rollupDays: number
}

export interface DashboardData {
  basePath: string
  mode: ExportMode
  /** The worker's health; undefined when no export worker runs (no gateway configured). */
  metrics: ExportMetrics | undefined
  stats: ExportStats
  /** One page of the next exports' events; empty in `off` mode and without a worker. */
  preview: readonly ExportPreviewItem[]
  /** Which page `preview` is, from 1. */
  previewPage: number
  /** Events a page. */
  previewLimit: number
  now: Date
  /** A banner above the page (the demo data's notice). */
  notice?: string | undefined
  retention?: Retention | undefined
  /** The daily ping's pending and latest days; undefined when no ping worker runs. */
  pings?: PingsView | undefined
}

const modeText: Record<ExportMode, string> = {
  redact:
    'Numeric metadata leaves; privateMetadata only for allowlisted keys, with the unsafe parts of redactable strings as ‹×›.',
  full: 'Everything leaves, privateMetadata included (scrubbed at ingest): for an upstream you own.',
  off: 'Nothing leaves this instance; events stay here under retention.',
}

/** The signed-in admin's page: export health, then the next export beside what stays home. */
export function dashboardPage(data: DashboardData): Html {
  const { basePath, mode, stats, now, notice } = data
  const oldest = stats.oldestUnexportedAt
  return layout(
    'Tally admin',
    html`<header>
        <h1>Tally <span>instance admin</span></h1>
        <div>
          <a href="${basePath}/usage" data-testid="usage-link">Usage</a>
          <a href="${basePath}">Refresh</a>
          <form class="inline" method="post" action="${basePath}/sign-out">
            <button type="submit">Sign out</button>
          </form>
        </div>
      </header>
      <main>
        <section class="cards">
          <div class="card">
            <h3>Export mode</h3>
            <div class="figure">
              <span class="mode mode-${mode}" data-testid="export-mode">${mode}</span>
            </div>
            <p class="muted">${modeText[mode]}</p>
          </div>
          <div class="card">
            <h3>Backlog</h3>
            <div class="figure" data-testid="backlog">${stats.backlog}</div>
            <p class="muted" data-testid="oldest-unexported">
              ${
                oldest === null
                  ? 'Nothing waits to be exported.'
                  : html`Oldest waiting
                    ${formatDuration((now.getTime() - oldest.getTime()) / 1000)}, received
                    ${time(oldest)}.`
              }
            </p>
          </div>
          <div class="card">
            <h3>Last export</h3>
            <div data-testid="last-export">${lastExport(mode, data.metrics, now)}</div>
          </div>
          <div class="card">
            <h3>Stored</h3>
            <div class="figure" data-testid="stored">${stats.total}</div>
            <p class="muted">events on this instance, exported or not.</p>
          </div>
          ${
            data.retention &&
            html`<div class="card">
              <h3>Retention</h3>
              <div class="figure" data-testid="retention">${data.retention.rawDays} days</div>
              <p class="muted">
                raw events, exported or not; daily rollups (usage figures)
                <span data-testid="rollup-retention">${data.retention.rollupDays} days</span>.
              </p>
            </div>`
          }
        </section>
        <h2>The next export, exactly as it would leave</h2>
        ${preview(data)}
        <h2>Daily pings, exactly as they leave</h2>
        ${pingsSection(mode, data.pings, now)}
      </main>`,
    notice,
  )
}

function lastExport(mode: ExportMode, metrics: ExportMetrics | undefined, now: Date): Html {
  if (metrics === undefined) {
    return mode === 'off'
      ? html`<div class="figure">Off</div>
          <p class="muted">No export worker runs.</p>`
      : html`<div class="figure bad">Not configured</div>
          <p class="muted">
            No gateway is configured, so nothing is exported: events wait in the backlog.
          </p>`
  }
  if (mode === 'off') {
    return html`<div class="figure">Off</div>
      <p class="muted">The worker only applies retention (${metrics.runs} runs).</p>`
  }
  const { lastError, lastSuccessAt } = metrics
  const counts = html`<p class="muted">
    ${metrics.exported} exported, ${metrics.rejected} refused by the gateway since start.
  </p>`
  if (lastError && (lastSuccessAt === null || lastError.at > lastSuccessAt)) {
    return html`<div class="figure bad">Failing</div>
      <p><span class="bad">${lastError.message}</span></p>
      <p class="muted">
        ${time(lastError.at)} (${ago(lastError.at, now)}), ${metrics.consecutiveFailures} in a row.
        ${lastSuccessAt === null ? 'No batch has got through yet.' : html`Last success ${time(lastSuccessAt)}.`}
      </p>
      ${counts}`
  }
  if (lastSuccessAt !== null) {
    return html`<div class="figure ok">OK</div>
      <p class="muted">${time(lastSuccessAt)} (${ago(lastSuccessAt, now)}).</p>
      ${counts}`
  }
  return html`<div class="figure">None yet</div>
    <p class="muted">
      ${metrics.runs === 0 ? 'The worker has not run yet.' : 'No batch sent so far: nothing was waiting.'}
    </p>`
}

function preview(data: DashboardData): Html {
  const { mode, stats, previewLimit } = data
  const notice = (text: Html | string) =>
    html`<p class="notice" data-testid="preview-notice">${text}</p>`
  if (mode === 'off') {
    return notice(
      `Export mode is off: nothing leaves this instance. The ${stats.total} stored events stay here under retention.`,
    )
  }
  if (data.metrics === undefined) {
    return notice(
      `No gateway is configured: nothing leaves yet. The ${stats.backlog} events in the backlog go out in ${mode} mode once one is set.`,
    )
  }
  const page = data.previewPage
  const first = (page - 1) * previewLimit + 1
  const pages = (testId: string) => pageLinks(data, testId)
  if (data.preview.length === 0) {
    return page === 1
      ? notice('The backlog is empty: the next export has nothing to send.')
      : html`${notice(`No waiting events from number ${first} on.`)}${pages('preview-pages')}`
  }
  const last = first + data.preview.length - 1
  return html`<p class="muted" data-testid="preview-range">
      Events ${first}–${last} of the ${stats.backlog} waiting, in the order they leave, as the
      gateway will receive them in ${mode} mode: the JSON that leaves, and beside it what redaction
      removed and the value that stays on this instance. The same data as
      <code>GET ${data.basePath}/api/preview?page=${page}</code> (whole, where this page cuts long
      values) and <code>tally export --preview</code>.
    </p>
    ${pages('preview-pages')}
    <table>
      <colgroup>
        <col class="event" />
        <col class="leaves" />
        <col class="removed" />
      </colgroup>
      <thead>
        <tr>
          <th>Event</th>
          <th>Leaves this instance as</th>
          <th>Removed by redaction: stays home</th>
        </tr>
      </thead>
      <tbody>
        ${data.preview.map(item => previewRow(item, mode))}
      </tbody>
    </table>
    ${pages('preview-pages-end')}`
}

function pageLinks(data: DashboardData, testId: string): Html {
  const { basePath, previewPage: page, previewLimit, stats } = data
  const hasNext = page * previewLimit < stats.backlog
  if (page === 1 && !hasNext) return html``
  return html`<nav class="pages" data-testid="${testId}">
    ${page > 1 && html`<a rel="prev" href="${basePath}?page=${page - 1}">← Previous</a>`}
    <span>page ${page} of ${Math.max(page, Math.ceil(stats.backlog / previewLimit))}</span>
    ${hasNext && html`<a rel="next" href="${basePath}?page=${page + 1}">Next →</a>`}
  </nav>`
}

/**
 * A value's JSON, cut past `maxShownChars` with its whole size said: a page shows a bounded
 * amount of any event, however many keys or however long a string it holds.
 */
function shownJson(value: Parameters<typeof prettyJson>[0], testId: string): Html {
  const { text, cut, totalChars } = cutText(prettyJson(value), maxShownChars)
  return html`<pre data-testid="${testId}">${markUnsafe(text)}</pre>
    ${
      cut &&
      html`<p class="muted cut" data-testid="cut">
        cut: ${maxShownChars.toLocaleString('en-US')} of ${totalChars.toLocaleString('en-US')}
        characters shown
      </p>`
    }`
}

/** Characters of one value's JSON a page shows. */
const maxShownChars = 4000

/** Removed paths listed per event; the rest are counted. */
const maxRemovedShown = 20

function previewRow({ event, exported, removed }: ExportPreviewItem, mode: ExportMode): Html {
  return html`<tr data-testid="preview-row" data-event-id="${event.id}">
    <td>
      <div><strong>${event.feature}</strong> / ${event.action}</div>
      <div class="muted">user #${exported.userId}</div>
      <div class="muted">recorded ${time(exported.timestamp)}</div>
      <div class="muted">received ${time(exported.receivedAt)}</div>
      <div class="muted"><code>${event.id}</code></div>
    </td>
    <td>${shownJson(exported, 'exported')}</td>
    <td class="removed" data-testid="removed">
      ${removedCell(
        // Only the paths shown are looked up: each lookup walks the event.
        removedValues(event, removed.slice(0, maxRemovedShown)),
        removed.length - maxRemovedShown,
        mode,
      )}
    </td>
  </tr> `
}

function removedCell(values: readonly RemovedValue[], hidden: number, mode: ExportMode): Html {
  if (values.length === 0) {
    return html`<p class="muted">
      ${
        mode === 'full'
          ? 'Nothing: full mode sends the whole event.'
          : 'Nothing: every value leaves.'
      }
    </p>`
  }
  return html`<ul>
      ${values.map(
        value =>
          html`<li data-removed-path="${formatPath(value.path)}" data-removed-kind="${value.kind}">
            <code>${formatPath(value.path)}</code
            ><span class="tag">${removalLabels[value.kind]}</span>${
              value.found
                ? shownJson(value.stored, 'removed-value')
                : html`<p class="muted">(the stored value could not be found at this path)</p>`
            }
          </li>`,
      )}
    </ul>
    ${
      hidden > 0 &&
      html`<p class="muted" data-testid="removed-more">
        and ${hidden.toLocaleString('en-US')} more paths (the API lists them)
      </p>`
    }`
}
