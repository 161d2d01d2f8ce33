// The `tally` command. The only module that reads process.env or process.argv: everything
// below it takes options.
import { terminalJson } from './server/bidi-controls.js'
import { dumpEvents } from './server/commands/dump.js'
import { exportPreview } from './server/commands/export-preview.js'
import { startGatewayCommand } from './server/commands/gateway.js'
import {
  describeImport,
  importEvents,
  openImportInput,
  readLines,
} from './server/commands/import.js'
import { importProgress } from './server/commands/import-progress.js'
import { runInsights } from './server/commands/insights.js'
import { isBrokenPipe, streamWriter } from './server/commands/stream-output.js'
import { startTallyServe } from './commands/serve.js'
import { isTallyServerError } from './server/errors/tally-server-error.js'
import { resolve, type Resolution } from './server/settings/resolve.js'
import type { Settings } from './server/settings/table.js'

/** Resolves at SIGINT or SIGTERM, so that servers close their stores cleanly. */
function untilSignal(): Promise<void> {
  return new Promise(resolve => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}

const log = (line: string) => console.log(line)

async function serve(options: Settings<'serve'>): Promise<void> {
  const { noDemoData, ...serveOptions } = options
  const server = await startTallyServe({ ...serveOptions, demoData: !noDemoData, log })
  console.log(`tally serve: instance backend at ${server.url}`)
  if (server.demoUrl !== undefined) console.log(`  demo:    ${server.demoUrl}`)
  console.log(`  events:  POST ${server.url}/.api/telemetry/events`)
  console.log(`  config:  GET  ${server.url}/.api/telemetry/config`)
  console.log(`  metrics: GET  ${server.url}/metrics`)
  console.log(
    `  admin:   ${server.url}/admin` +
      // A token the operator chose is theirs to know; only a generated one is shown.
      (options.adminToken ? '' : ` (sign in with ${server.adminToken})`),
  )
  if (server.gatewayUrl !== undefined) console.log(`  exports to ${server.gatewayUrl}/v1/events`)
  if (server.localGateway) {
    console.log(`  fleet:   ${server.gatewayUrl}/ (the local gateway; the same admin token)`)
  }
  await untilSignal()
  await server.close()
}

async function gateway(options: Settings<'gateway'>): Promise<void> {
  const gateway = await startGatewayCommand({ ...options, log })
  console.log(`tally gateway: receiving at ${gateway.url}/v1/events`)
  console.log(`  pings:    POST ${gateway.url}/v1/pings`)
  console.log(
    `  read:     GET ${gateway.url}/v1/events, /v1/pings, /v1/insights/<question> ?instance=ID` +
      " (with that instance's key or the admin key)",
  )
  await untilSignal()
  await gateway.close()
}

async function preview(options: Settings<'export'>): Promise<void> {
  console.log(terminalJson(await exportPreview(options)))
}

async function insights(options: Settings<'insights'>): Promise<number> {
  console.log(await runInsights(options))
  return 0
}

async function dump(options: Settings<'dump'>): Promise<number> {
  try {
    await dumpEvents(options, streamWriter(process.stdout))
  } catch (error) {
    // `tally dump | head`: the reader has what it wanted.
    if (!isBrokenPipe(error)) throw error
  }
  return 0
}

/** Exits 1 when some lines were refused, so that a script moving a store notices. */
async function importCommand(options: Settings<'import'>): Promise<number> {
  const input = await openImportInput(options.file, process.stdin)
  const progress = process.stderr.isTTY
    ? importProgress(text => process.stderr.write(text))
    : undefined
  let summary
  try {
    const settings = progress === undefined ? options : { ...options, onBatch: progress.onBatch }
    summary = await importEvents(settings, readLines(input))
  } finally {
    progress?.done()
  }
  console.log(describeImport(summary))
  return summary.refused > 0 ? 1 : 0
}

/** Runs the command resolved; resolves with its exit code. */
async function run(resolution: Extract<Resolution, { kind: 'run' }>): Promise<number> {
  switch (resolution.command) {
    case 'serve':
      await serve(resolution.options)
      return 0
    case 'gateway':
      await gateway(resolution.options)
      return 0
    case 'export':
      await preview(resolution.options)
      return 0
    case 'insights':
      return insights(resolution.options)
    case 'dump':
      return dump(resolution.options)
    case 'import':
      return importCommand(resolution.options)
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const resolution = resolve(command, rest, process.env)
  switch (resolution.kind) {
    case 'help':
      console.log(resolution.text)
      return 0
    case 'refused':
      console.error(resolution.message)
      return 2
    case 'run':
      try {
        return await run(resolution)
      } catch (error) {
        // A setting only checkable once used, or a driver to install: the operator's to fix,
        // in one line.
        if (
          isTallyServerError(error) &&
          (error.code === 'invalid-setting' || error.code === 'missing-driver')
        ) {
          console.error(`tally ${resolution.command}: ${error.message}`)
          return 2
        }
        throw error
      }
  }
}

let settled = false
// Node exits 0 when nothing is left to wait for, even with the command unfinished (a promise
// that can no longer resolve): that is a failure, never a success.
process.once('beforeExit', () => {
  if (settled) return
  console.error('tally: stopped before finishing (a bug: please report it)')
  process.exitCode = 1
})

main(process.argv.slice(2)).then(
  code => {
    settled = true
    if (code !== 0) process.exitCode = code
  },
  (error: unknown) => {
    settled = true
    console.error(`tally: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
