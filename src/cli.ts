// The `tally` command. The only module that reads process.env or process.argv: everything
// below it takes options.
import { parseArgs } from 'node:util'
import { exportPreview } from './server/commands/export-preview.js'
import { startGatewayCommand } from './server/commands/gateway.js'
import { startTallyServe } from './commands/serve.js'

const usage = `Usage: tally <command> [options]

Commands:
  serve             the instance backend (SQLite at ./.tally/ unless --database-url)
    --port N                 (TALLY_PORT, default 3080)
    --host H                 (TALLY_HOST, default 127.0.0.1)
    --data DIR               (TALLY_DATA, default ./.tally)
    --database-url URL       PostgreSQL instead of SQLite (TALLY_DATABASE_URL)
    --export-mode MODE       redact | full | off (TALLY_EXPORT_MODE, default redact)
    --gateway-url URL        where exports go (TALLY_GATEWAY_URL)
    --instance-key ID=KEY    this instance's id and key at the gateway (TALLY_INSTANCE_KEY)
    --export-interval-ms N   (TALLY_EXPORT_INTERVAL_MS, default 60000)
    --export-timeout-ms N    a gateway request's deadline; rows an exporter that died had
                             claimed are sent again after 5 times this (TALLY_EXPORT_TIMEOUT_MS,
                             default 60000)
    --allowlist F::A::K,...  privateMetadata keys that may leave (TALLY_ALLOWLIST)
    --token NAME=SECRET      a bearer token, repeatable (TALLY_TOKENS, comma-separated)
    --session-secret S       signs demo session cookies (TALLY_SESSION_SECRET)
    --admin-token T          opens /admin, 16+ characters (TALLY_ADMIN_TOKEN; default: random, printed)
    --cors-origin ORIGIN     an origin allowed to send from browsers, repeatable (TALLY_CORS_ORIGINS)
    --local-gateway          also run a reference gateway and export to it (npm start)
  gateway           the reference upstream receiver
    --port N                 (TALLY_GATEWAY_PORT, default 3090)
    --host H                 (default 127.0.0.1)
    --data DIR               (TALLY_GATEWAY_DATA, default ./.tally-gateway)
    --instance-key ID=KEY    an instance allowed to export, repeatable (TALLY_GATEWAY_INSTANCE_KEYS)
  export --preview  print, as JSON, exactly what the next export would send
    (takes serve's storage and export options, and --limit N)
`

const env = process.env
const list = (value: string | undefined) =>
  value === undefined
    ? []
    : value
        .split(',')
        .map(entry => entry.trim())
        .filter(Boolean)

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a whole number, not ${value}`)
  return parsed
}

/** Resolves at SIGINT or SIGTERM, so that servers close their stores cleanly. */
function untilSignal(): Promise<void> {
  return new Promise(resolve => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'database-url': { type: 'string' },
      'export-mode': { type: 'string' },
      'gateway-url': { type: 'string' },
      'instance-key': { type: 'string', multiple: true },
      'export-interval-ms': { type: 'string' },
      'export-timeout-ms': { type: 'string' },
      allowlist: { type: 'string' },
      token: { type: 'string', multiple: true },
      'session-secret': { type: 'string' },
      'admin-token': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'local-gateway': { type: 'boolean' },
      demo: { type: 'boolean' },
      preview: { type: 'boolean' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help || command === undefined || command === 'help') {
    console.log(usage)
    return 0
  }
  const storage = {
    dataDir: values.data ?? env.TALLY_DATA ?? '.tally',
    databaseUrl: values['database-url'] ?? env.TALLY_DATABASE_URL,
  }
  const exportOptions = {
    exportMode: values['export-mode'] ?? env.TALLY_EXPORT_MODE ?? 'redact',
    gatewayUrl: values['gateway-url'] ?? env.TALLY_GATEWAY_URL,
    instanceKey: values['instance-key']?.[0] ?? env.TALLY_INSTANCE_KEY,
    exportIntervalMs: integer(
      '--export-interval-ms',
      values['export-interval-ms'] ?? env.TALLY_EXPORT_INTERVAL_MS,
      60_000,
    ),
    exportTimeoutMs: integer(
      '--export-timeout-ms',
      values['export-timeout-ms'] ?? env.TALLY_EXPORT_TIMEOUT_MS,
      60_000,
    ),
    allowlist: values.allowlist !== undefined ? list(values.allowlist) : list(env.TALLY_ALLOWLIST),
  }
  switch (command) {
    case 'serve': {
      const server = await startTallyServe({
        ...storage,
        ...exportOptions,
        port: integer('--port', values.port ?? env.TALLY_PORT, 3080),
        host: values.host ?? env.TALLY_HOST ?? '127.0.0.1',
        tokens: values.token ?? list(env.TALLY_TOKENS),
        sessionSecret: values['session-secret'] ?? env.TALLY_SESSION_SECRET,
        adminToken: values['admin-token'] ?? env.TALLY_ADMIN_TOKEN,
        corsOrigins: values['cors-origin'] ?? list(env.TALLY_CORS_ORIGINS),
        localGateway: values['local-gateway'] ?? false,
        demo: values.demo ?? false,
        log: line => console.log(line),
      })
      console.log(`tally serve: instance backend at ${server.url}`)
      if (server.demoUrl !== undefined) console.log(`  demo:    ${server.demoUrl}`)
      console.log(`  events:  POST ${server.url}/.api/telemetry/events`)
      console.log(`  config:  GET  ${server.url}/.api/telemetry/config`)
      console.log(`  metrics: GET  ${server.url}/metrics`)
      console.log(
        `  admin:   ${server.url}/admin` +
          // A token the operator chose is theirs to know; only a generated one is shown.
          ((values['admin-token'] ?? env.TALLY_ADMIN_TOKEN)
            ? ''
            : ` (sign in with ${server.adminToken})`),
      )
      if (server.gatewayUrl !== undefined)
        console.log(`  exports to ${server.gatewayUrl}/v1/events`)
      await untilSignal()
      await server.close()
      return 0
    }
    case 'gateway': {
      const gateway = await startGatewayCommand({
        port: integer('--port', values.port ?? env.TALLY_GATEWAY_PORT, 3090),
        host: values.host ?? '127.0.0.1',
        dataDir: values.data ?? env.TALLY_GATEWAY_DATA ?? '.tally-gateway',
        instanceKeys: values['instance-key'] ?? list(env.TALLY_GATEWAY_INSTANCE_KEYS),
        log: line => console.log(line),
      })
      console.log(`tally gateway: receiving at ${gateway.url}/v1/events`)
      console.log(`  received: GET ${gateway.url}/v1/events?instance=ID (with that instance's key)`)
      await untilSignal()
      await gateway.close()
      return 0
    }
    case 'export':
      if (!values.preview)
        throw new Error(
          'tally export needs --preview (the worker in `tally serve` does the exporting)',
        )
      console.log(
        JSON.stringify(
          await exportPreview({
            ...storage,
            ...exportOptions,
            limit: integer('--limit', values.limit, 5_000),
          }),
          null,
          2,
        ),
      )
      return 0
    default:
      console.error(`tally: unknown command ${command}\n\n${usage}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  code => {
    if (code !== 0) process.exitCode = code
  },
  (error: unknown) => {
    console.error(`tally: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
