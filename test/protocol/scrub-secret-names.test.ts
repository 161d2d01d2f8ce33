import { describe, expect, it } from 'vitest'
import { defaultScrubRules } from '../../src/protocol/scrub-rules.js'
import { createScrubber } from '../../src/protocol/scrub.js'

/*
 * Secrets assigned to secret-sounding names in environment, shell, config and cookie syntax, as
 * they show up in public leak reports (committed .env files, CI logs, pasted config): the value
 * goes, the name stays. Values are assembled at run time so that this file holds nothing a
 * secret scanner would flag.
 */

const scrub = createScrubber(defaultScrubRules)

let seed = 0x5ec7
function fake(
  length: number,
  alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789',
): string {
  let out = ''
  for (let index = 0; index < length; index++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    out += alphabet.charAt((seed >>> 8) % alphabet.length)
  }
  return out
}

const awsSecret = fake(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
const value = fake(24)
const hex = fake(64, '0123456789abcdef')
const base64 = fake(43) + '='

/** [input, what the scrubber makes of it] */
type Row = readonly [input: string, expected: string]

const environmentAndShell: readonly Row[] = [
  [`AWS_SECRET_ACCESS_KEY=${awsSecret}`, 'AWS_SECRET_ACCESS_KEY=[redacted:aws-secret-key]'],
  [`DATABASE_PASSWORD="${value}"`, 'DATABASE_PASSWORD="[redacted:assignment]"'],
  [`STRIPE_API_KEY=${value}`, 'STRIPE_API_KEY=[redacted:assignment]'],
  [`export GITHUB_TOKEN=${value}`, 'export GITHUB_TOKEN=[redacted:assignment]'],
  [`export API_TOKEN='${value}'`, "export API_TOKEN='[redacted:assignment]'"],
  [`SOMETHING_SECRET_KEY=${value}`, 'SOMETHING_SECRET_KEY=[redacted:secret-name]'],
  [`SECRET_KEY_BASE=${hex}`, 'SECRET_KEY_BASE=[redacted:secret-name]'],
  [`DJANGO_SECRET_KEY='django-insecure-${value}'`, "DJANGO_SECRET_KEY='[redacted:secret-name]'"],
  [`APP_KEY=base64:${base64}`, 'APP_KEY=[redacted:secret-name]'],
  [`JWT_SIGNING_KEY=${value}`, 'JWT_SIGNING_KEY=[redacted:secret-name]'],
  [`ENCRYPTION_KEY=${hex}`, 'ENCRYPTION_KEY=[redacted:secret-name]'],
  [`DB_PASS=${value}`, 'DB_PASS=[redacted:secret-name]'],
  [`export SMTP_PASS="${value}"`, 'export SMTP_PASS="[redacted:secret-name]"'],
  [`DB_PASS=12345678`, 'DB_PASS=[redacted:secret-name]'],
  [
    `docker run -e POSTGRES_PASSWORD=${value} -e SECRET_KEY=${value} postgres`,
    'docker run -e POSTGRES_PASSWORD=[redacted:assignment] -e SECRET_KEY=[redacted:secret-name] postgres',
  ],
]

const configFiles: readonly Row[] = [
  ['password: hunter2hunter2', 'password: [redacted:assignment]'],
  [`  db_pass: ${value}`, '  db_pass: [redacted:secret-name]'],
  [`client_secret = "${value}"`, 'client_secret = "[redacted:assignment]"'],
  [`secret_key = "${value}"`, 'secret_key = "[redacted:secret-name]"'],
  [`{"apiKey": "${value}"}`, '{"apiKey": "[redacted:assignment]"}'],
  [
    `{"encryptionKey": "${value}", "region": "eu"}`,
    '{"encryptionKey": "[redacted:secret-name]", "region": "eu"}',
  ],
  [`{\\"signingKey\\": \\"${value}\\"}`, '{\\"signingKey\\": \\"[redacted:secret-name]\\"}'],
  [
    `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${base64}=;EndpointSuffix=core.windows.net`,
    'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[redacted:secret-name];EndpointSuffix=core.windows.net',
  ],
  [`return ['session_key' => '${value}'];`, "return ['session_key' => '[redacted:secret-name]'];"],
]

const cookies: readonly Row[] = [
  [`session_id=${value}; Path=/; HttpOnly`, 'session_id=[redacted:secret-name]; Path=/; HttpOnly'],
  [
    `Set-Cookie: sessionid=${value}; HttpOnly; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT`,
    'Set-Cookie: sessionid=[redacted:secret-name]; HttpOnly; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
  ],
  [
    `Cookie: sid=${value}; csrftoken=${value}`,
    'Cookie: sid=[redacted:secret-name]; csrftoken=[redacted:assignment]',
  ],
  [
    `cookie: theme=dark; connect.sid=s%3A${value}.${value}`,
    'cookie: theme=dark; connect.sid=[redacted:secret-name]',
  ],
  [
    `{"Cookie": "theme=dark; PHPSESSID=${value}"}`,
    '{"Cookie": "theme=dark; PHPSESSID=[redacted:secret-name]"}',
  ],
  [`PHPSESSID=${value}`, 'PHPSESSID=[redacted:secret-name]'],
  [`JSESSIONID=${hex.toUpperCase().slice(0, 32)}`, 'JSESSIONID=[redacted:secret-name]'],
  [`laravel_session=${value}`, 'laravel_session=[redacted:secret-name]'],
  [`ASP.NET_SessionId=${value}; path=/`, 'ASP.NET_SessionId=[redacted:secret-name]; path=/'],
  [`sessionId: "${value}"`, 'sessionId: "[redacted:secret-name]"'],
]

/** Settings and prose that look a little like the rows above and must come out unchanged. */
const innocents: readonly string[] = [
  'PATH=/usr/bin:/usr/local/bin',
  'NODE_ENV=production',
  'token_count=128',
  'password_min_length=8',
  'key=value',
  'sort=asc',
  'keyboard=us',
  'monkey=banana',
  'sort_key=name',
  'primary_key=id',
  'KEY_ID=1',
  'SESSION_DRIVER=redis',
  'session_timeout: 30',
  'session_id: 3600',
  'sid=42',
  'bypass=true',
  'compass=north',
  'passes=3',
  'the session: started',
  'pass: ok',
  'cookie: chocolate chip',
  'Cookie consent: yes',
  'Set-Cookie blocked by the browser',
  'secret_key: null',
  'APP_KEY=',
]

describe('secret-sounding names: the value goes, the name stays', () => {
  describe.each([
    ['in environment files and shells', environmentAndShell],
    ['in config files', configFiles],
    ['in cookies', cookies],
  ])('%s', (_family, rows) => {
    it.each(rows)('%s', (input, expected) => {
      expect(scrub(input)).toBe(expected)
      expect(scrub(expected)).toBe(expected)
    })
  })

  it('leaves names that only look alike, and settings, unchanged', () => {
    expect(innocents.filter(text => scrub(text) !== text)).toEqual([])
  })

  it('leaves HOME to the home-path rule', () => {
    expect(scrub('HOME=/home/alice')).toBe('HOME=~')
  })
})
