import type { Telemetry, TelemetryStats } from 'tally-telemetry'
import { h, setText } from './dom.js'

const refreshMs = 250
const maxActivity = 6

type DropReason = keyof TelemetryStats['dropped']
/** Every reason, in the order shown: a record, so that a reason added to the client is not forgotten here. */
const shown: Record<DropReason, true> = {
  overflow: true,
  invalid: true,
  rejected: true,
  disabled: true,
  shutdown: true,
}
const dropReasons = Object.keys(shown) as DropReason[]

export interface StatsPanel {
  element: HTMLElement
  /** Lists an event this page recorded (feature and action only: never its data). */
  recorded: (feature: string, action: string) => void
  /** Shows the client's last reported error. */
  error: (message: string) => void
}

function row(label: string, testId: string, hint?: string): [HTMLElement, HTMLElement] {
  const value = h('strong', { 'data-testid': testId }, '0')
  const term = h('span', hint === undefined ? {} : { title: hint }, label)
  return [h('div', { class: 'stat' }, term, value), value]
}

/** The client's `stats()`, refreshed live, and the events this page recorded. */
export function createStatsPanel(telemetry: Telemetry): StatsPanel {
  const [queuedRow, queued] = row('Queued', 'stats-queued', 'Recorded, not yet acknowledged')
  const [sentRow, sent] = row('Sent', 'stats-sent', 'Acknowledged by the instance')
  const [retriesRow, retries] = row('Retries', 'stats-retries', 'Sends scheduled again')
  const [storageRow, storage] = row('Storage', 'stats-storage', 'Where the queue lives')
  const [droppedRow, dropped] = row('Dropped', 'stats-dropped', 'Dropped on purpose, counted')
  const reasons = new Map<DropReason, HTMLElement>()
  const breakdown = h('ul', { class: 'drops' })
  for (const reason of dropReasons) {
    const value = h('span', { 'data-testid': `stats-dropped-${reason}` }, '0')
    reasons.set(reason, value)
    breakdown.append(h('li', {}, h('span', {}, reason), value))
  }
  droppedRow.classList.add('wide')
  droppedRow.append(breakdown)
  const errorLine = h('p', { class: 'stats-error', 'data-testid': 'stats-error', hidden: true })
  const activity = h('ol', { class: 'activity', 'data-testid': 'activity' })
  const empty = h('p', { class: 'empty' }, 'Nothing yet: search for something.')
  const flush = h('button', { type: 'button', class: 'button subtle' }, 'Flush now')
  flush.addEventListener('click', () => {
    void telemetry.flush()
  })

  const element = h(
    'aside',
    { class: 'panel stats', 'data-testid': 'stats', 'aria-label': 'Telemetry' },
    h('header', {}, h('h2', {}, 'Telemetry'), h('span', { class: 'live' }, 'live')),
    h('div', { class: 'stat-grid' }, queuedRow, sentRow, retriesRow, storageRow, droppedRow),
    errorLine,
    h('h3', {}, 'Recorded on this page'),
    activity,
    empty,
    h(
      'footer',
      {},
      flush,
      h(
        'p',
        { class: 'note' },
        'Secrets are scrubbed in the browser; the query stays on this instance.',
      ),
    ),
  )

  const render = () => {
    const stats = telemetry.stats()
    setText(queued, String(stats.queued))
    setText(sent, String(stats.sent))
    setText(retries, String(stats.retries))
    setText(storage, stats.storage)
    let total = 0
    for (const reason of dropReasons) {
      total += stats.dropped[reason]
      const value = reasons.get(reason)
      if (value) setText(value, String(stats.dropped[reason]))
    }
    setText(dropped, String(total))
    dropped.classList.toggle('warn', total > 0)
  }
  render()
  // The panel lives as long as the page; a demo can afford a timer the library never runs.
  setInterval(render, refreshMs)

  return {
    element,
    recorded: (feature, action) => {
      const time = new Date().toLocaleTimeString([], { hour12: false })
      activity.prepend(h('li', {}, h('code', {}, `${feature} · ${action}`), h('time', {}, time)))
      while (activity.children.length > maxActivity) activity.lastElementChild?.remove()
      empty.remove()
      render()
    },
    error: message => {
      errorLine.hidden = false
      setText(errorLine, message)
    },
  }
}
