// `tally serve` as the command composes it: the instance backend of src/server/, and with
// `demo` the demo app beside it. Here, above both folders, so that the server never imports
// the demo and the demo reaches the server only through its public entry, src/server.ts.
import { randomBytes } from 'node:crypto'
import { createDemoRoutes, defaultDemoDir } from '../demo/routes.js'
import { demoClient } from '../demo/demo-history.js'
import { demoSessions } from '../server.js'
import { startServe, type RunningServer, type ServeOptions } from '../server/commands/serve.js'
import { demoDataNotice, loadDemoData } from './demo-data.js'

export interface TallyServeOptions extends ServeOptions {
  /**
   * Serve the demo app at `/` and its sign-in, whose session cookies then count as a user for
   * event batches. Off, events need a bearer token. The sign-in trusts any name: for trying
   * Tally out, never for an instance people rely on.
   */
  demo: boolean
  /** Signs the demo's session cookies. @default a random secret per start */
  sessionSecret?: string | undefined
  /**
   * With `demo`, loads 90 days of generated activity of 300 users (client `tally-demo-data`)
   * into an empty store, once, and shows a banner on the admin pages while it is stored.
   * @default true
   */
  demoData?: boolean | undefined
}

export interface RunningTallyServe extends RunningServer {
  /** The demo app's address, when `demo` is on. */
  demoUrl: string | undefined
}

export async function startTallyServe(options: TallyServeOptions): Promise<RunningTallyServe> {
  const { demo, sessionSecret, demoData = true, ...serveOptions } = options
  if (!demo) return { ...(await startServe(serveOptions)), demoUrl: undefined }
  const sessions = demoSessions(sessionSecret ?? randomBytes(32).toString('hex'))
  let notice: string | undefined
  const server = await startServe({
    ...serveOptions,
    notice: () => notice,
    extension: {
      authenticate: sessions.authenticate,
      routes: createDemoRoutes({ sessions, staticDir: defaultDemoDir(import.meta.url) }),
      onListening: demoData
        ? async (store, signal) => {
            // In the background: a few seconds of inserts must not hold up the first request.
            const result = await loadDemoData(store, { signal }).catch((error: unknown) => {
              const message = error instanceof Error ? error.message : String(error)
              serveOptions.log(`demo: the demo data could not be loaded: ${message}`)
              return { status: 'skipped' as const }
            })
            if (result.status === 'skipped') return
            notice = demoDataNotice(result.users)
            if (result.status === 'loaded') {
              serveOptions.log(
                `demo: loaded ${result.stored} demo events for ${result.users} users (${demoClient})`,
              )
            }
          }
        : undefined,
    },
  })
  return { ...server, demoUrl: `${server.url}/` }
}
