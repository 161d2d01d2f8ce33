import { describe, expect, it } from 'vitest'
import { resolve, type SettingFiles } from '../../../src/server/settings/resolve.js'
import { settings } from '../../../src/server/settings/table.js'

const key = 'k3y-0123456789abcdef'
const other = 'other-0123456789abcdef'

const noFiles: SettingFiles = {
  readFile: path => {
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  },
}
const filesOf = (files: Record<string, string>): SettingFiles => ({
  readFile: path => {
    const content = files[path]
    if (content === undefined) return noFiles.readFile(path)
    return content
  },
})

function options(
  command: string,
  argv: string[],
  env: Record<string, string> = {},
  files = noFiles,
): Record<string, unknown> {
  const resolution = resolve(command, argv, env, files)
  if (resolution.kind !== 'run') throw new Error(`not run: ${JSON.stringify(resolution)}`)
  return resolution.options
}

function refusal(
  command: string | undefined,
  argv: string[],
  env: Record<string, string> = {},
  files = noFiles,
): string {
  const resolution = resolve(command, argv, env, files)
  if (resolution.kind !== 'refused') throw new Error(`not refused: ${JSON.stringify(resolution)}`)
  return resolution.message
}

describe('resolve: defaults', () => {
  it('gives serve its documented defaults', () => {
    expect(options('serve', [])).toEqual({
      port: 3080,
      host: '127.0.0.1',
      dataDir: './.tally',
      databaseUrl: undefined,
      exportMode: 'redact',
      allowlist: [],
      gatewayUrl: undefined,
      instanceKey: undefined,
      exportIntervalMs: 60_000,
      exportTimeoutMs: 60_000,
      tokens: [],
      sessionSecret: undefined,
      adminToken: undefined,
      corsOrigins: [],
      allowedHosts: [],
      localGateway: false,
      demo: false,
      noDemoData: false,
      retentionDays: 90,
      rollupRetentionDays: 400,
    })
  })

  it('gives gateway and export --preview theirs', () => {
    expect(options('gateway', [])).toEqual({
      port: 3090,
      host: '127.0.0.1',
      dataDir: './.tally-gateway',
      databaseUrl: undefined,
      instanceKeys: [],
      instanceKeysFile: undefined,
      adminKey: undefined,
      retentionDays: 90,
      rollupRetentionDays: 400,
    })
    expect(options('export', ['--preview'])).toEqual({
      preview: true,
      dataDir: './.tally',
      databaseUrl: undefined,
      exportMode: 'redact',
      allowlist: [],
      instanceKey: undefined,
      limit: 5_000,
    })
  })
})

// Each setting by its flag and by its variable: [command, option, flag args, env, value].
const everySetting: [string, string, string[], Record<string, string>, unknown][] = [
  ['serve', 'port', ['--port', '0'], { TALLY_PORT: '0' }, 0],
  ['serve', 'host', ['--host', '0.0.0.0'], { TALLY_HOST: '0.0.0.0' }, '0.0.0.0'],
  ['serve', 'dataDir', ['--data', '/srv/t'], { TALLY_DATA: '/srv/t' }, '/srv/t'],
  [
    'serve',
    'databaseUrl',
    ['--database-url', 'postgres://db/t'],
    { TALLY_DATABASE_URL: 'postgres://db/t' },
    'postgres://db/t',
  ],
  ['serve', 'exportMode', ['--export-mode', 'off'], { TALLY_EXPORT_MODE: 'off' }, 'off'],
  [
    'serve',
    'allowlist',
    ['--allowlist', 'a::b::c,d::e::f'],
    { TALLY_ALLOWLIST: 'a::b::c, d::e::f' },
    ['a::b::c', 'd::e::f'],
  ],
  [
    'serve',
    'gatewayUrl',
    ['--gateway-url', 'https://gw.example.com'],
    { TALLY_GATEWAY_URL: 'https://gw.example.com' },
    'https://gw.example.com',
  ],
  [
    'serve',
    'instanceKey',
    ['--instance-key', `acme=${key}`],
    { TALLY_INSTANCE_KEY: `acme=${key}` },
    `acme=${key}`,
  ],
  [
    'serve',
    'exportIntervalMs',
    ['--export-interval-ms', '500'],
    { TALLY_EXPORT_INTERVAL_MS: '500' },
    500,
  ],
  [
    'serve',
    'exportTimeoutMs',
    ['--export-timeout-ms', '700'],
    { TALLY_EXPORT_TIMEOUT_MS: '700' },
    700,
  ],
  [
    'serve',
    'tokens',
    ['--token', `ci=${key}`, '--token', `ide=${other}`],
    { TALLY_TOKENS: `ci=${key},ide=${other}` },
    [`ci=${key}`, `ide=${other}`],
  ],
  ['serve', 'sessionSecret', ['--session-secret', key], { TALLY_SESSION_SECRET: key }, key],
  ['serve', 'adminToken', ['--admin-token', key], { TALLY_ADMIN_TOKEN: key }, key],
  [
    'serve',
    'corsOrigins',
    ['--cors-origin', 'https://a.example', '--cors-origin', 'http://localhost:5173'],
    { TALLY_CORS_ORIGINS: 'https://a.example,http://localhost:5173' },
    ['https://a.example', 'http://localhost:5173'],
  ],
  [
    'serve',
    'allowedHosts',
    ['--allowed-host', 'tally.example.com', '--allowed-host', 'localhost:3080'],
    { TALLY_ALLOWED_HOSTS: 'tally.example.com,localhost:3080' },
    ['tally.example.com', 'localhost:3080'],
  ],
  ['serve', 'localGateway', ['--local-gateway'], { TALLY_LOCAL_GATEWAY: 'true' }, true],
  ['serve', 'demo', ['--demo'], { TALLY_DEMO: '1' }, true],
  ['serve', 'noDemoData', ['--no-demo-data'], { TALLY_NO_DEMO_DATA: 'true' }, true],
  ['serve', 'retentionDays', ['--retention-days', '30'], { TALLY_RETENTION_DAYS: '30' }, 30],
  [
    'serve',
    'rollupRetentionDays',
    ['--rollup-retention-days', '365'],
    { TALLY_ROLLUP_RETENTION_DAYS: '365' },
    365,
  ],
  ['gateway', 'port', ['--port', '4000'], { TALLY_GATEWAY_PORT: '4000' }, 4000],
  ['gateway', 'host', ['--host', '::1'], { TALLY_GATEWAY_HOST: '::1' }, '::1'],
  ['gateway', 'dataDir', ['--data', '/srv/g'], { TALLY_GATEWAY_DATA: '/srv/g' }, '/srv/g'],
  [
    'gateway',
    'instanceKeys',
    ['--instance-key', `a=${key}`, '--instance-key', `b=${other}`],
    { TALLY_GATEWAY_INSTANCE_KEYS: `a=${key},b=${other}` },
    [`a=${key}`, `b=${other}`],
  ],
  [
    'gateway',
    'databaseUrl',
    ['--database-url', 'postgres://db/fleet'],
    { TALLY_GATEWAY_DATABASE_URL: 'postgres://db/fleet' },
    'postgres://db/fleet',
  ],
  [
    'gateway',
    'instanceKeysFile',
    ['--instance-keys-file', '/etc/tally/keys'],
    { TALLY_GATEWAY_INSTANCE_KEYS_FILE: '/etc/tally/keys' },
    '/etc/tally/keys',
  ],
  ['gateway', 'adminKey', ['--admin-key', key], { TALLY_GATEWAY_ADMIN_KEY: key }, key],
  [
    'gateway',
    'retentionDays',
    ['--retention-days', '30'],
    { TALLY_GATEWAY_RETENTION_DAYS: '30' },
    30,
  ],
  [
    'gateway',
    'rollupRetentionDays',
    ['--rollup-retention-days', '800'],
    { TALLY_GATEWAY_ROLLUP_RETENTION_DAYS: '800' },
    800,
  ],
  ['export', 'dataDir', ['--data', '/srv/t'], { TALLY_DATA: '/srv/t' }, '/srv/t'],
  [
    'export',
    'databaseUrl',
    ['--database-url', 'postgresql://db/t'],
    { TALLY_DATABASE_URL: 'postgresql://db/t' },
    'postgresql://db/t',
  ],
  [
    'export',
    'instanceKey',
    ['--instance-key', `acme=${key}`],
    { TALLY_INSTANCE_KEY: `acme=${key}` },
    `acme=${key}`,
  ],
  ['export', 'exportMode', ['--export-mode', 'full'], { TALLY_EXPORT_MODE: 'full' }, 'full'],
  ['export', 'allowlist', ['--allowlist', 'a::b::c'], { TALLY_ALLOWLIST: 'a::b::c' }, ['a::b::c']],
  ...(['insights', 'dump', 'import'] as const).flatMap(
    (command): [string, string, string[], Record<string, string>, unknown][] => [
      [command, 'dataDir', ['--data', '/srv/t'], { TALLY_DATA: '/srv/t' }, '/srv/t'],
      [
        command,
        'databaseUrl',
        ['--database-url', 'postgres://db/t'],
        { TALLY_DATABASE_URL: 'postgres://db/t' },
        'postgres://db/t',
      ],
    ],
  ),
]

/** What a command needs besides the setting tested: export's --preview, the positionals. */
const required: Record<string, string[]> = {
  export: ['--preview'],
  insights: ['active-users'],
  import: ['events.jsonl'],
}

describe('resolve: every setting', () => {
  it.each(everySetting)('%s %s from its flag', (command, option, argv, _env, value) => {
    const extra = required[command] ?? []
    expect(options(command, [...extra, ...argv])[option]).toEqual(value)
  })

  it.each(everySetting)('%s %s from its variable', (command, option, _argv, env, value) => {
    const extra = required[command] ?? []
    expect(options(command, extra, env)[option]).toEqual(value)
  })

  it('covers every setting of the table that has a variable', () => {
    const covered = new Set(everySetting.map(([command, option]) => `${command}.${option}`))
    for (const [command, table] of Object.entries(settings))
      for (const [option, setting] of Object.entries(table))
        if (setting.env !== undefined)
          expect(covered, `${command}.${option}`).toContain(`${command}.${option}`)
  })

  it('takes --limit for export --preview', () => {
    expect(options('export', ['--preview', '--limit', '10']).limit).toBe(10)
  })

  it('lets a flag win over its variable', () => {
    expect(options('serve', ['--port', '1'], { TALLY_PORT: '2' }).port).toBe(1)
    expect(
      options('serve', ['--token', `a=${key}`], { TALLY_TOKENS: `b=${other}` }).tokens,
    ).toEqual([`a=${key}`])
  })

  it('treats an empty variable as unset', () => {
    expect(options('serve', [], { TALLY_PORT: '', TALLY_GATEWAY_URL: '' })).toMatchObject({
      port: 3080,
      gatewayUrl: undefined,
    })
  })

  it('accepts a bare instance key for the instance id default', () => {
    expect(options('serve', ['--instance-key', key]).instanceKey).toBe(key)
  })
})

describe('resolve: secrets from files', () => {
  const files = filesOf({
    '/s/tokens': `# CI and the IDE\nci=${key}\n\n  ide=${other}  \r\n`,
    '/s/admin': `${key}\n`,
    '/s/instance': `# ours\nacme=${key}\n`,
    '/s/keys': `a=${key}\nb=${other}\n`,
    '/s/two': `${key}\n${other}\n`,
    '/s/short': 'ci=short\n',
  })

  it('reads tokens, the admin token and instance keys from files, skipping blanks and comments', () => {
    expect(options('serve', ['--token-file', '/s/tokens'], {}, files).tokens).toEqual([
      `ci=${key}`,
      `ide=${other}`,
    ])
    expect(options('serve', [], { TALLY_TOKEN_FILE: '/s/tokens' }, files).tokens).toEqual([
      `ci=${key}`,
      `ide=${other}`,
    ])
    expect(options('serve', ['--admin-token-file', '/s/admin'], {}, files).adminToken).toBe(key)
    expect(options('serve', [], { TALLY_ADMIN_TOKEN_FILE: '/s/admin' }, files).adminToken).toBe(key)
    expect(options('serve', ['--instance-key-file', '/s/instance'], {}, files).instanceKey).toBe(
      `acme=${key}`,
    )
    expect(
      options('serve', [], { TALLY_INSTANCE_KEY_FILE: '/s/instance' }, files).instanceKey,
    ).toBe(`acme=${key}`)
    expect(options('gateway', ['--admin-key-file', '/s/admin'], {}, files).adminKey).toBe(key)
    expect(
      options('gateway', [], { TALLY_GATEWAY_ADMIN_KEY_FILE: '/s/admin' }, files).adminKey,
    ).toBe(key)
  })

  it('adds a token file to the --token flags', () => {
    expect(
      options('serve', ['--token', `x=${key}`, '--token-file', '/s/tokens'], {}, files).tokens,
    ).toEqual([`x=${key}`, `ci=${key}`, `ide=${other}`])
  })

  it.each([
    [['--token-file', '/s/missing'], {}, 'tally serve: --token-file must name a readable file'],
    [
      [],
      { TALLY_TOKEN_FILE: '/s/missing' },
      'tally serve: TALLY_TOKEN_FILE must name a readable file',
    ],
    [['--admin-token-file', '/s/two'], {}, '--admin-token-file must name a file of one T line'],
    [
      ['--instance-key-file', '/s/keys'],
      {},
      '--instance-key-file must name a file of one ID=KEY line',
    ],
    [
      ['--token-file', '/s/short'],
      {},
      'tally serve: each line of --token-file must look like NAME=SECRET with a SECRET of 16 or more characters without spaces, e.g. ci=…',
    ],
    [
      ['--admin-token', key, '--admin-token-file', '/s/admin'],
      {},
      '--admin-token and --admin-token-file are both given but the setting takes one value',
    ],
  ])('refuses %j %j', (argv, env, message) => {
    expect(refusal('serve', argv, env, files)).toContain(message)
  })

  it('never shows a secret in a refusal', () => {
    const secret = 'abc def ghi jkl mno'
    for (const message of [
      refusal('serve', ['--admin-token', secret]),
      refusal('serve', ['--token', `ci=${secret}`]),
      refusal('serve', ['--session-secret', 'tiny-secret']),
      refusal('serve', [], { TALLY_INSTANCE_KEY: 'acme=tiny-secret' }),
      refusal('gateway', ['--instance-key', 'acme=tiny-secret']),
      refusal('gateway', ['--admin-key', 'tiny-secret']),
      refusal('serve', ['--token-file', '/s/short'], {}, files),
    ]) {
      expect(message).not.toContain(secret)
      expect(message).not.toContain('tiny-secret')
      expect(message).not.toContain('short')
    }
  })
})

describe('resolve: refusals', () => {
  // [command, argv, env, the one line]
  const refusals: [string, string[], Record<string, string>, string][] = [
    [
      'serve',
      ['--port', 'abc'],
      {},
      'tally serve: --port must be a port number from 0 to 65535, e.g. --port 3080',
    ],
    [
      'serve',
      [],
      { TALLY_PORT: '70000' },
      'tally serve: TALLY_PORT must be a port number from 0 to 65535, e.g. TALLY_PORT=3080',
    ],
    [
      'gateway',
      [],
      { TALLY_GATEWAY_PORT: '-1' },
      'tally gateway: TALLY_GATEWAY_PORT must be a port number from 0 to 65535, e.g. TALLY_GATEWAY_PORT=3090',
    ],
    [
      'serve',
      ['--port', '1', '--port', '2'],
      {},
      'tally serve: --port is given twice but takes one value, e.g. --port 3080',
    ],
    [
      'serve',
      ['--instance-key', 'acme'],
      {},
      'tally serve: --instance-key must be 16 or more characters without spaces, e.g. --instance-key acme=…',
    ],
    [
      'serve',
      ['--instance-key', 'acme='],
      {},
      'tally serve: --instance-key must look like ID=KEY, e.g. --instance-key acme=…',
    ],
    [
      'serve',
      ['--instance-key', `=${key}`],
      {},
      'tally serve: --instance-key must look like ID=KEY, e.g. --instance-key acme=…',
    ],
    [
      'serve',
      ['--instance-key', `a=${key}`, '--instance-key', `b=${key}`],
      {},
      'tally serve: --instance-key is given twice but takes one value, e.g. --instance-key acme=…',
    ],
    [
      'serve',
      ['--token', 'ci'],
      {},
      'tally serve: --token must look like NAME=SECRET, e.g. --token ci=…',
    ],
    [
      'serve',
      [],
      { TALLY_TOKENS: 'ci=short' },
      'tally serve: TALLY_TOKENS must look like NAME=SECRET with a SECRET of 16 or more characters without spaces, e.g. TALLY_TOKENS=ci=…',
    ],
    [
      'serve',
      ['--admin-token', 'short'],
      {},
      'tally serve: --admin-token must be 16 or more characters without spaces, e.g. --admin-token …',
    ],
    [
      'serve',
      [],
      { TALLY_SESSION_SECRET: 'short' },
      'tally serve: TALLY_SESSION_SECRET must be 16 or more characters without spaces, e.g. TALLY_SESSION_SECRET=…',
    ],
    [
      'serve',
      ['--export-mode', 'all'],
      {},
      'tally serve: --export-mode must be redact, full or off, e.g. --export-mode redact',
    ],
    [
      'export',
      ['--preview'],
      { TALLY_EXPORT_MODE: 'none' },
      'tally export: TALLY_EXPORT_MODE must be redact, full or off, e.g. TALLY_EXPORT_MODE=redact',
    ],
    [
      'serve',
      ['--gateway-url', 'http://gw.example.com'],
      {},
      'tally serve: --gateway-url must be an https URL (http to loopback only) without credentials, query or fragment, e.g. --gateway-url https://telemetry.example.com',
    ],
    [
      'serve',
      [],
      { TALLY_GATEWAY_URL: 'not a url' },
      'tally serve: TALLY_GATEWAY_URL must be an https URL (http to loopback only) without credentials, query or fragment, e.g. TALLY_GATEWAY_URL=https://telemetry.example.com',
    ],
    [
      'serve',
      ['--database-url', 'mysql://db'],
      {},
      'tally serve: --database-url must be a postgres:// URL, e.g. --database-url postgres://tally@db.example.com/telemetry',
    ],
    [
      'serve',
      ['--export-interval-ms', '0'],
      {},
      'tally serve: --export-interval-ms must be a number of milliseconds from 1 to 2147483647, e.g. --export-interval-ms 60000',
    ],
    [
      'serve',
      [],
      { TALLY_EXPORT_TIMEOUT_MS: '1.5' },
      'tally serve: TALLY_EXPORT_TIMEOUT_MS must be a number of milliseconds from 1 to 2147483647, e.g. TALLY_EXPORT_TIMEOUT_MS=60000',
    ],
    [
      'serve',
      ['--allowlist', 'search::submitted'],
      {},
      'tally serve: --allowlist must be feature::action::key entries, e.g. --allowlist search::submitted::patternType',
    ],
    [
      'serve',
      ['--cors-origin', 'https://app.example.com/'],
      {},
      'tally serve: --cors-origin must be an origin (scheme://host[:port]), e.g. --cors-origin https://app.example.com',
    ],
    [
      'serve',
      ['--allowed-host', 'https://x'],
      {},
      'tally serve: --allowed-host must be a host name, with a port if needed, e.g. --allowed-host telemetry.example.com',
    ],
    [
      'serve',
      [],
      { TALLY_DEMO: 'yes' },
      'tally serve: TALLY_DEMO must be true or false, e.g. TALLY_DEMO=true',
    ],
    ['serve', ['--demo=yes'], {}, 'tally serve: --demo takes no value, e.g. --demo'],
    [
      'serve',
      ['--retention-days', '0'],
      {},
      'tally serve: --retention-days must be a number of days from 1 to 3650, e.g. --retention-days 90',
    ],
    ['serve', ['--port'], {}, 'tally serve: --port needs a value, e.g. --port 3080'],
    ['serve', ['--data='], {}, 'tally serve: --data must not be empty, e.g. --data /var/lib/tally'],
    ['gateway', ['--host', ''], {}, 'tally gateway: --host must not be empty, e.g. --host 0.0.0.0'],
    [
      'serve',
      ['--token-file'],
      {},
      'tally serve: --token-file needs a value, e.g. --token-file /run/secrets/tally',
    ],
    [
      'export',
      ['--preview', '--limit', '0'],
      {},
      'tally export: --limit must be a whole number from 1 to 1000000, e.g. --limit 100',
    ],
    [
      'gateway',
      ['--export-mode', 'x'],
      {},
      'tally gateway: unknown flag --export-mode (tally gateway --help lists its flags)',
    ],
    [
      'export',
      ['--preview', '--port', '1'],
      {},
      'tally export: unknown flag --port (tally export --help lists its flags)',
    ],
    [
      'serve',
      ['--limit', '5'],
      {},
      'tally serve: unknown flag --limit (tally serve --help lists its flags)',
    ],
    [
      'serve',
      ['extra'],
      {},
      'tally serve: unexpected argument "extra" (tally serve --help lists its flags)',
    ],
    [
      'export',
      [],
      {},
      'tally export: --preview is required (the worker in `tally serve` does the exporting)',
    ],
    ['deploy', [], {}, 'tally: unknown command "deploy" (tally --help lists them)'],
    ['--port', [], {}, 'tally: unknown command --port (tally --help lists them)'],
  ]

  it.each(refusals)('%s %j %j', (command, argv, env, message) => {
    expect(refusal(command, argv, env)).toBe(message)
  })

  it('names the flag or variable refused', () => {
    expect(resolve('serve', [], { TALLY_PORT: 'x' })).toMatchObject({ setting: 'TALLY_PORT' })
    expect(resolve('serve', ['--token', 'a=b'], {})).toMatchObject({ setting: '--token' })
  })

  it('refuses in one line', () => {
    for (const [command, argv, env] of refusals)
      expect(refusal(command, argv, env)).not.toContain('\n')
  })

  it("never lets another command's malformed variable stop a command", () => {
    const everyOtherVariable = {
      TALLY_GATEWAY_PORT: 'abc',
      TALLY_GATEWAY_HOST: '',
      TALLY_GATEWAY_INSTANCE_KEYS: 'short',
      TALLY_GATEWAY_INSTANCE_KEYS_FILE: '/nowhere',
      TALLY_GATEWAY_ADMIN_KEY: 'short',
      TALLY_GATEWAY_DATABASE_URL: 'mysql://x',
      TALLY_GATEWAY_DATA: '',
    }
    expect(options('serve', [], everyOtherVariable).port).toBe(3080)
    expect(options('export', ['--preview'], { ...everyOtherVariable, TALLY_PORT: 'x' }).limit).toBe(
      5_000,
    )
    expect(
      options('gateway', [], { TALLY_PORT: 'abc', TALLY_TOKENS: 'bad', TALLY_DEMO: 'maybe' }).port,
    ).toBe(3090)
  })
})

describe('resolve: help', () => {
  it.each([[undefined], ['help'], ['--help'], ['-h']])('prints the usage for %j', command => {
    const resolution = resolve(command, [], {})
    expect(resolution.kind).toBe('help')
  })

  it('prints a command help for --help and -h, whatever else is given', () => {
    for (const argv of [['--help'], ['-h'], ['--port', '1', '--help']])
      expect(resolve('serve', argv, {})).toMatchObject({ kind: 'help' })
  })
})
