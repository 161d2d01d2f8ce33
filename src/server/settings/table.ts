// Every setting of every command, in the order the help lists them. The help, the README's
// table (`npm run docs:settings`) and `resolve` are all made from these rows.
import { questionNames, type QuestionName } from '../insights/questions.js'
import { gatewayEventsUrl } from '../export/gateway-url.js'
import { insightsRows } from './insights-rows.js'
import { list, optionalText, toggle, wholeNumber } from './kinds.js'
import {
  refuse,
  type CommandName,
  type Positional,
  type Setting,
  type SettingValue,
} from './setting.js'
import {
  databaseUrl,
  dataDir,
  days,
  durationMs,
  exportContent,
  host,
  isOrigin,
  pairs,
  port,
  secret,
  storage,
} from './shared-rows.js'

const serve = {
  port: port('TALLY_PORT', 3080),
  host: host('TALLY_HOST'),
  ...storage,
  ...exportContent,
  gatewayUrl: optionalText({
    flag: 'gateway-url',
    env: 'TALLY_GATEWAY_URL',
    placeholder: 'URL',
    help: 'where exports go: https, or http to loopback only',
    example: 'https://telemetry.example.com',
    check: given => {
      try {
        gatewayEventsUrl(given.value)
      } catch (error) {
        throw refuse(
          given.source,
          'be an https URL (http to loopback only) without credentials, query or fragment',
          'https://telemetry.example.com',
          error,
        )
      }
    },
  }),
  instanceKey: optionalText(
    pairs({
      flag: 'instance-key',
      env: 'TALLY_INSTANCE_KEY',
      placeholder: 'ID=KEY',
      file: {
        flag: 'instance-key-file',
        env: 'TALLY_INSTANCE_KEY_FILE',
        help: 'a file holding the ID=KEY line',
      },
      help: "this instance's id and key at the gateway",
      example: 'acme=…',
      form: 'ID=KEY',
      bareName: 'default',
    }),
  ),
  exportIntervalMs: durationMs(
    'export-interval-ms',
    'TALLY_EXPORT_INTERVAL_MS',
    'how often the export worker sends',
  ),
  exportTimeoutMs: durationMs(
    'export-timeout-ms',
    'TALLY_EXPORT_TIMEOUT_MS',
    "a gateway request's deadline; rows a dead exporter had claimed go again after 5 times this",
  ),
  retentionDays: days(
    'retention-days',
    'TALLY_RETENTION_DAYS',
    'how long raw events are kept, exported or not: how far metadata filters reach',
    90,
  ),
  rollupRetentionDays: days(
    'rollup-retention-days',
    'TALLY_ROLLUP_RETENTION_DAYS',
    'how long the daily rollups are kept: active users, features and cohorts stay exact this far',
    400,
  ),
  tokens: list(
    pairs({
      flag: 'token',
      env: 'TALLY_TOKENS',
      placeholder: 'NAME=SECRET',
      file: {
        flag: 'token-file',
        env: 'TALLY_TOKEN_FILE',
        help: 'a file of NAME=SECRET lines',
      },
      help: 'a bearer token that may send events, repeatable',
      example: 'ci=…',
      form: 'NAME=SECRET',
    }),
  ),
  sessionSecret: secret({
    flag: 'session-secret',
    env: 'TALLY_SESSION_SECRET',
    placeholder: 'S',
    help: "signs the demo's session cookies, 16+ characters",
    defaultText: 'random per start',
    example: '…',
  }),
  adminToken: secret({
    flag: 'admin-token',
    env: 'TALLY_ADMIN_TOKEN',
    placeholder: 'T',
    file: {
      flag: 'admin-token-file',
      env: 'TALLY_ADMIN_TOKEN_FILE',
      help: 'a file holding the admin token',
    },
    help: 'opens /admin, 16+ characters',
    defaultText: 'random, printed',
    example: '…',
  }),
  corsOrigins: list({
    flag: 'cors-origin',
    env: 'TALLY_CORS_ORIGINS',
    placeholder: 'ORIGIN',
    help: 'an origin allowed to send from browsers, repeatable',
    example: 'https://app.example.com',
    check: given => {
      if (!isOrigin(given.value))
        throw refuse(given.source, 'be an origin (scheme://host[:port])', 'https://app.example.com')
    },
  }),
  allowedHosts: list({
    flag: 'allowed-host',
    env: 'TALLY_ALLOWED_HOSTS',
    placeholder: 'H',
    help: 'a Host header the server answers, repeatable',
    example: 'telemetry.example.com',
    check: given => {
      if (!/^[a-z0-9.[\]:-]+$/i.test(given.value))
        throw refuse(given.source, 'be a host name, with a port if needed', 'telemetry.example.com')
    },
  }),
  localGateway: toggle({
    flag: 'local-gateway',
    env: 'TALLY_LOCAL_GATEWAY',
    help: 'also run a reference gateway and export to it; npm start sets it',
    example: 'true',
  }),
  demo: toggle({
    flag: 'demo',
    env: 'TALLY_DEMO',
    help: 'serve the demo app and its session sign-in; npm start sets it',
    example: 'true',
  }),
  noDemoData: toggle({
    flag: 'no-demo-data',
    env: 'TALLY_NO_DEMO_DATA',
    help: 'with --demo, load no generated demo activity into an empty store',
    example: 'true',
  }),
}

const gateway = {
  port: port('TALLY_GATEWAY_PORT', 3090),
  host: host('TALLY_GATEWAY_HOST'),
  dataDir: dataDir(
    'TALLY_GATEWAY_DATA',
    './.tally-gateway',
    "the gateway's SQLite folder (gateway.db, one file per instance)",
  ),
  databaseUrl: databaseUrl('TALLY_GATEWAY_DATABASE_URL'),
  instanceKeys: list(
    pairs({
      flag: 'instance-key',
      env: 'TALLY_GATEWAY_INSTANCE_KEYS',
      placeholder: 'ID=KEY',
      help: 'an instance allowed to export, repeatable',
      example: 'acme=…',
      form: 'ID=KEY',
    }),
  ),
  instanceKeysFile: optionalText({
    flag: 'instance-keys-file',
    env: 'TALLY_GATEWAY_INSTANCE_KEYS_FILE',
    placeholder: 'FILE',
    help: 'a file of ID=KEY lines, re-read when it changes: add an instance without a restart',
    example: '/etc/tally/instance-keys',
  }),
  adminKey: secret({
    flag: 'admin-key',
    env: 'TALLY_GATEWAY_ADMIN_KEY',
    placeholder: 'KEY',
    file: {
      flag: 'admin-key-file',
      env: 'TALLY_GATEWAY_ADMIN_KEY_FILE',
      help: 'a file holding the admin key',
    },
    help: "reads every instance's events, pings and insights, 16+ characters",
    example: '…',
  }),
  retentionDays: days(
    'retention-days',
    'TALLY_GATEWAY_RETENTION_DAYS',
    'how long raw events are kept at the gateway, by the instance receipt',
    90,
  ),
  rollupRetentionDays: days(
    'rollup-retention-days',
    'TALLY_GATEWAY_ROLLUP_RETENTION_DAYS',
    "how long the instances' daily rollups and pings are kept at the gateway",
    400,
  ),
}

const exportCommand = {
  preview: toggle({
    flag: 'preview',
    help: 'print, as JSON, exactly what the next export would send, events and daily pings (required)',
    example: 'true',
  }),
  ...storage,
  ...exportContent,
  instanceKey: serve.instanceKey,
  limit: wholeNumber({
    flag: 'limit',
    placeholder: 'N',
    help: 'at most this many events',
    defaultText: '5000',
    example: '100',
    defaultValue: 5_000,
    min: 1,
    max: 1_000_000,
  }),
}

/** The settings of each command, by option name. */
export const settings = {
  serve,
  gateway,
  export: exportCommand,
  insights: { ...storage, ...insightsRows },
  dump: { ...storage },
  import: { ...storage },
} satisfies Record<CommandName, Record<string, Setting<unknown>>>

/** The argument that is not a flag, of the commands that take one (and require it). */
export const positionals: Partial<Record<CommandName, Positional>> = {
  insights: {
    name: 'question',
    placeholder: 'QUESTION',
    help: 'what to ask',
    choices: questionNames,
    example: 'active-users',
  },
  import: {
    name: 'file',
    placeholder: 'FILE',
    help: 'the JSON Lines to read (what tally dump writes); - reads standard input',
    example: 'events.jsonl',
  },
}

/** What each command does, for the help. */
export const commandSummaries: Record<CommandName, string> = {
  serve: 'the instance backend (SQLite at ./.tally/ unless --database-url)',
  gateway: 'the reference upstream receiver',
  export:
    'with --preview, prints as JSON exactly what the next export would send: events, and pings',
  insights: 'answers one usage question from the store, as the insights API does',
  dump: 'writes every stored event to standard output as JSON Lines',
  import: "stores a dump's events, validated and scrubbed, each id once; exits 1 if any is refused",
}

/** The values of the positional arguments, as `resolve` returns them. */
interface PositionalValues {
  insights: { question: QuestionName }
  import: { file: string }
}

/** The typed options `resolve` returns for a command. */
export type Settings<C extends CommandName> = {
  [K in keyof (typeof settings)[C]]: SettingValue<(typeof settings)[C][K]>
} & (C extends keyof PositionalValues ? PositionalValues[C] : unknown)
