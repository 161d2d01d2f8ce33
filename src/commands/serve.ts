// `tally serve` as the command composes it: the instance backend of src/server/, and with
// `demo` the demo app beside it. Here, above both folders, so that the server never imports
// the demo and the demo reaches the server only through its public entry, src/server.ts.
import { randomBytes } from 'node:crypto'
import { createDemoRoutes, defaultDemoDir } from '../demo/routes.js'
import { demoSessions } from '../server.js'
import { startServe, type RunningServer, type ServeOptions } from '../server/commands/serve.js'

export interface TallyServeOptions extends ServeOptions {
  /**
   * Serve the demo app at `/` and its sign-in, whose session cookies then count as a user for
   * event batches. Off, events need a bearer token. The sign-in trusts any name: for trying
   * Tally out, never for an instance people rely on.
   */
  demo: boolean
  /** Signs the demo's session cookies. @default a random secret per start */
  sessionSecret?: string | undefined
}

export interface RunningTallyServe extends RunningServer {
  /** The demo app's address, when `demo` is on. */
  demoUrl: string | undefined
}

export async function startTallyServe(options: TallyServeOptions): Promise<RunningTallyServe> {
  const { demo, sessionSecret, ...serveOptions } = options
  if (!demo) return { ...(await startServe(serveOptions)), demoUrl: undefined }
  const sessions = demoSessions(sessionSecret ?? randomBytes(32).toString('hex'))
  const server = await startServe({
    ...serveOptions,
    extension: {
      authenticate: sessions.authenticate,
      routes: createDemoRoutes({ sessions, staticDir: defaultDemoDir(import.meta.url) }),
    },
  })
  return { ...server, demoUrl: `${server.url}/` }
}
