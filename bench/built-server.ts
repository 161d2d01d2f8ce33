// `tally-telemetry/server` as users run it, built in dist/ (`npm run bench` builds first), typed
// as its source. tsx's transform of the source wraps every closure it creates in a naming
// helper, which measured over a microsecond an event on the ingest path.
import type * as Server from '../src/server.js'

const path = '../dist/server.js'
export const builtServer = (await import(path)) as typeof Server
