import type { Page, Route } from '@playwright/test'

/**
 * An app as a bundler built it from the built package: its files by URL path (`app.js`,
 * `assets/index-1a2b.js`), the one the page loads, and how the page loads it.
 */
export interface BuiltApp {
  files: Map<string, string>
  entry: string
  /**
   * `exports`: an ES module exporting `createTelemetry`, imported by the page; `module`: an
   * ES module that sets `window.createTelemetry`; `classic`: a plain script that sets it.
   */
  kind: 'exports' | 'module' | 'classic'
}

/** The file among `app.files` that holds the sender (ky, whose HTTPError marks it). */
export function senderChunkOf(app: BuiltApp): string | undefined {
  return [...app.files.keys()].find(
    name => name !== app.entry && (app.files.get(name) ?? '').includes('HTTPError'),
  )
}

/** The file among `app.files` that holds the judge (validation, whose messages mark it). */
export function judgeChunkOf(app: BuiltApp): string | undefined {
  return [...app.files.keys()].find(
    name => name !== app.entry && (app.files.get(name) ?? '').includes('nests deeper than'),
  )
}

export type SplitPage = Window & {
  ready?: boolean
  recordSome(count: number): Promise<string[]>
}

const loader = (app: BuiltApp) =>
  app.kind === 'exports'
    ? `<script type="module">
import { createTelemetry } from './${app.entry}'
window.createTelemetry = createTelemetry
</script>`
    : `<script${app.kind === 'module' ? ' type="module"' : ''} src="./${app.entry}"></script>`

/**
 * The page: loads the app, creates a client sending to `baseUrl`, and offers `recordSome`, which
 * records events holding a secret for the scrubbers and resolves with their ids once the
 * batched step ran. Module scripts run in document order, after any plain one.
 */
const pageHtml = (baseUrl: string, app: BuiltApp) => `<!doctype html>
<meta charset="utf-8"><title>a bundled app</title>
${loader(app)}
<script type="module">
window.recorded = []
window.telemetry = window.createTelemetry({
  client: { name: 'e2e' },
  baseUrl: ${JSON.stringify(baseUrl)},
  processors: [{ name: 'capture', process(event) { window.recorded.push(event.id) } }],
})
window.recordSome = async count => {
  const from = window.recorded.length
  for (let index = 0; index < count; index++) {
    window.telemetry.recordEvent('e2e', 'recorded', {
      version: 1,
      metadata: { index },
      privateMetadata: { note: 'token=' + 'hunter2hunter2' + index },
    })
  }
  // Processors run in the batched step at the end of the task.
  await new Promise(resolve => setTimeout(resolve, 0))
  return window.recorded.slice(from)
}
window.ready = true
</script>`

/**
 * Serves the page at `/split/` on the collector's origin (so that IndexedDB, localStorage and
 * the events endpoint are the collector's) and the app's files under `/split/` and at the
 * origin's root, where a bundler's default base puts them; `hold` leaves those files
 * unanswered. Resolves with the held requests once the page is ready.
 */
export async function serveApp(
  page: Page,
  app: BuiltApp,
  baseUrl: string,
  hold: readonly string[] = [],
): Promise<Route[]> {
  const held: Route[] = []
  const origin = new URL(baseUrl).origin
  await page.route(
    url =>
      url.origin === origin &&
      (url.pathname.startsWith('/split/') || app.files.has(url.pathname.slice(1))),
    async route => {
      const path = new URL(route.request().url()).pathname
      const name = path.startsWith('/split/') ? path.slice('/split/'.length) : path.slice(1)
      if (name === '' || name === 'index.html') {
        await route.fulfill({ contentType: 'text/html', body: pageHtml(baseUrl, app) })
        return
      }
      if (hold.includes(name)) {
        held.push(route)
        return
      }
      const body = app.files.get(name)
      if (body === undefined) await route.fulfill({ status: 404 })
      else await route.fulfill({ contentType: 'text/javascript', body })
    },
  )
  await page.goto(`${baseUrl}/split/`)
  await page.waitForFunction(() => (window as unknown as SplitPage).ready === true)
  return held
}
