import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLOSE_MARKER, OPEN_MARKER } from '../../src/protocol/markers.js'
import {
  defaultScrubRules,
  minDefaultMatchLength,
  type ScrubRule,
} from '../../src/protocol/scrub-rules.js'
import { createScrubber } from '../../src/protocol/scrub.js'

const scrub = createScrubber(defaultScrubRules)

const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const digits = '0123456789'
const alnum = upper + upper.toLowerCase() + digits
const hex = '0123456789abcdef'
const base64 = alnum + '+/'

let seed = 0x7a11
/**
 * Deterministic pseudo-random characters. Secrets are assembled at run time so that no literal
 * in this file looks like a leaked credential to a secret scanner.
 */
function fake(length: number, alphabet = alnum): string {
  let out = ''
  for (let index = 0; index < length; index++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    out += alphabet.charAt((seed >>> 8) % alphabet.length)
  }
  return out
}

const ghp = 'ghp_' + fake(36)
const gho = 'gho_' + fake(36)
const ghu = 'ghu_' + fake(36)
const ghs = 'ghs_' + fake(36)
const ghr = 'ghr_' + fake(36)
const githubPat = 'github_pat_' + fake(22) + '_' + fake(59)
const glpat = 'glpat-' + fake(20)
const gldt = 'gldt-' + fake(20)
const glrt = 'glrt-' + fake(27)
const glptt = 'glptt-' + fake(40, hex)
const gloas = 'gloas-' + fake(64, hex)
const slackId = (): string => fake(11, digits) + '-' + fake(13, digits)
const xoxb = 'xoxb-' + slackId() + '-' + fake(24)
const xoxp = 'xoxp-' + slackId() + '-' + fake(32, hex)
const xoxa = 'xoxa-2-' + slackId() + '-' + fake(24)
const xoxs = 'xoxs-' + slackId() + '-' + fake(24)
const xapp = 'xapp-1-A' + fake(10, upper + digits) + '-' + fake(13, digits) + '-' + fake(64, hex)
const slackHookSecret = fake(24)
const akia = 'AKIA' + fake(16, upper + digits)
const asia = 'ASIA' + fake(16, upper + digits)
const awsSecret = fake(40, base64)
const awsSecret2 = fake(40, base64)
const sessionToken = fake(120)
const npmToken = 'npm_' + fake(36)
const npmToken2 = 'npm_' + fake(36)
const skLegacy = 'sk-' + fake(20) + 'T3BlbkFJ' + fake(20)
const skProj = 'sk-proj-' + fake(48, alnum + '_-') + '7'
const skSvc = 'sk-svcacct-' + fake(40, alnum + '_-') + '1'
const skAnt = 'sk-ant-api03-' + fake(93, alnum + '_-') + '-AA'
const skAnt2 = 'sk-ant-admin01-' + fake(80, alnum + '_-')
const sgp = 'sgp_' + fake(16, hex) + '_' + fake(40, hex)
const sgpLocal = 'sgp_local_' + fake(40, hex)
const sgp3 = 'sgp_' + fake(40, hex)
const googleKey = 'AIza' + fake(35, alnum + '_-')
const googleKey2 = 'AIza' + fake(35, alnum + '_-')
const stripeSecret = 'sk_' + 'live_' + fake(24)
const stripeRestricted = 'rk_' + 'live_' + fake(24)
const stripePublishable = 'pk_' + 'live_' + fake(24)
const stripeTest = 'sk_' + 'test_' + fake(24)
const stripeWebhook = 'whsec_' + fake(32)
const opaque = fake(40, alnum + '-._~')
const opaque2 = fake(32)
const shortBearer = 'x9' + fake(8, hex)
const basicCredentials = btoa('alice:' + fake(16))
const basicCredentials2 = btoa('ci-bot:' + fake(20))
const discordToken = fake(24) + '.' + fake(6)
const negotiate = 'YII' + fake(60, base64)
const b64url = alnum + '-_'
const jwt = 'eyJ' + fake(33, b64url) + '.eyJ' + fake(120, b64url) + '.' + fake(43, b64url)
const jwt2 = 'eyJ' + fake(33, b64url) + '.eyJ' + fake(80, b64url) + '.' + fake(86, b64url)
const password = 'P@ss' + fake(10) + '!'
const pemBody = (lines: number): string =>
  Array.from({ length: lines }, () => fake(64, base64)).join('\n')
const rsaBody = 'MIIEow' + pemBody(4)
const opensshBody = 'b3BlbnNzaC1rZXktdjEAAAAA' + fake(40, base64)
const ecBody = 'MHcCAQEE' + pemBody(2)
const pkcs8Body = 'MIIEvQ' + pemBody(3)
const encryptedBody = 'MIIFHz' + pemBody(3)
const truncatedBody = 'MIIEpA' + pemBody(2)
const s3Signature = fake(64, hex)
const oauthCode = fake(20)
const fragmentToken = fake(30)
const queryToken = fake(16)
const assignmentValue = fake(32)

const pem = (kind: string, body: string, newline = '\n'): string =>
  `-----BEGIN ${kind}-----${newline}${body}${newline}-----END ${kind}-----`

interface SecretRow {
  readonly label: string
  readonly input: string
  /** Substrings that must be gone from the output. */
  readonly secrets: readonly string[]
  /** The whole output, where it is worth pinning. */
  readonly expected?: string
  /** Substrings that must be in the output: the placeholder and innocent context. */
  readonly keep?: readonly string[]
}

const secretRows: readonly SecretRow[] = [
  // GitHub
  {
    label: 'GitHub installation token in a clone URL',
    input: `git clone https://x-access-token:${ghs}@github.com/o/r`,
    secrets: [ghs, 'x-access-token'],
    expected: 'git clone https://github.com/o/r',
  },
  {
    label: 'GitHub classic PAT in an export',
    input: `export GITHUB_TOKEN=${ghp}`,
    secrets: [ghp],
    expected: 'export GITHUB_TOKEN=[redacted:github-token]',
  },
  {
    label: 'GitHub OAuth token in an Authorization header',
    input: `curl -H "Authorization: token ${gho}" https://api.github.com/user`,
    secrets: [gho],
    expected: 'curl -H "Authorization: token [redacted:github-token]" https://api.github.com/user',
  },
  {
    label: 'GitHub user-to-server token in JSON',
    input: `{"token":"${ghu}","expires_at":"2030-01-01T00:00:00Z"}`,
    secrets: [ghu],
    expected: '{"token":"[redacted:github-token]","expires_at":"2030-01-01T00:00:00Z"}',
  },
  {
    label: 'GitHub refresh token in a log line',
    input: `refresh failed for ${ghr}: 401 Bad credentials`,
    secrets: [ghr],
    expected: 'refresh failed for [redacted:github-token]: 401 Bad credentials',
  },
  {
    label: 'GitHub fine-grained PAT in a shell command',
    input: `GH_TOKEN='${githubPat}' gh pr list`,
    secrets: [githubPat, githubPat.slice(11)],
    expected: "GH_TOKEN='[redacted:github-token]' gh pr list",
  },
  {
    label: 'GitHub token piped to gh auth',
    input: `echo ${ghp} | gh auth login --with-token`,
    secrets: [ghp],
    expected: 'echo [redacted:github-token] | gh auth login --with-token',
  },
  {
    label: 'GitHub token as URL user in a git error',
    input: `fatal: could not read from https://${ghp}@github.com/org/repo.git/`,
    secrets: [ghp],
    expected: 'fatal: could not read from https://github.com/org/repo.git/',
  },
  // GitLab
  {
    label: 'GitLab PAT in a PRIVATE-TOKEN header',
    input: `curl --header "PRIVATE-TOKEN: ${glpat}" https://gitlab.com/api/v4/projects`,
    secrets: [glpat],
    expected:
      'curl --header "PRIVATE-TOKEN: [redacted:gitlab-token]" https://gitlab.com/api/v4/projects',
  },
  {
    label: 'GitLab deploy token in a clone URL',
    input: `git clone https://gitlab+deploy-token-1:${gldt}@gitlab.com/g/p.git`,
    secrets: [gldt],
    expected: 'git clone https://gitlab.com/g/p.git',
  },
  {
    label: 'GitLab runner token on a command line',
    input: `gitlab-runner register --url https://gitlab.com --token ${glrt}`,
    secrets: [glrt],
    expected: 'gitlab-runner register --url https://gitlab.com --token [redacted:gitlab-token]',
  },
  {
    label: 'GitLab trigger token as a form field',
    input: `curl -X POST -F token=${glptt} -F ref=main https://gitlab.com/api/v4/projects/1/trigger/pipeline`,
    secrets: [glptt],
    keep: ['token=[redacted:gitlab-token] -F ref=main', '/trigger/pipeline'],
  },
  {
    label: 'GitLab OAuth application secret in a message',
    input: `oauth application secret ${gloas} rotated`,
    secrets: [gloas],
    expected: 'oauth application secret [redacted:gitlab-token] rotated',
  },
  // Slack
  {
    label: 'Slack bot token in an env file',
    input: `SLACK_BOT_TOKEN=${xoxb}`,
    secrets: [xoxb],
    expected: 'SLACK_BOT_TOKEN=[redacted:slack-token]',
  },
  {
    label: 'Slack user token in Python',
    input: `client.chat_postMessage(token="${xoxp}", channel="#general")`,
    secrets: [xoxp],
    keep: ['token="[redacted:slack-token]"', 'channel="#general"'],
  },
  {
    label: 'Slack workspace token in a log',
    input: `[warn] deprecated token type ${xoxa} used`,
    secrets: [xoxa],
    expected: '[warn] deprecated token type [redacted:slack-token] used',
  },
  {
    label: 'Slack legacy session token',
    input: `legacy ${xoxs} found in config`,
    secrets: [xoxs],
    expected: 'legacy [redacted:slack-token] found in config',
  },
  {
    label: 'Slack app-level token',
    input: `SLACK_APP_TOKEN=${xapp} node bolt.js`,
    secrets: [xapp],
    expected: 'SLACK_APP_TOKEN=[redacted:slack-token] node bolt.js',
  },
  {
    label: 'Slack incoming webhook URL',
    input: `POST https://hooks.slack.com/services/T0${fake(8, upper)}/B0${fake(8, upper)}/${slackHookSecret} 200`,
    secrets: [slackHookSecret, 'hooks.slack.com'],
    expected: 'POST [redacted:slack-webhook] 200',
  },
  // AWS
  {
    label: 'AWS access key id in a credentials file',
    input: `aws_access_key_id = ${akia}`,
    secrets: [akia],
    expected: 'aws_access_key_id = [redacted:aws-access-key-id]',
  },
  {
    label: 'AWS STS credentials as JSON',
    input: `{"AccessKeyId": "${asia}", "SecretAccessKey": "${awsSecret}", "SessionToken": "${sessionToken}"}`,
    secrets: [asia, awsSecret, sessionToken],
    expected:
      '{"AccessKeyId": "[redacted:aws-access-key-id]", "SecretAccessKey": "[redacted:aws-secret-key]", "SessionToken": "[redacted:assignment]"}',
  },
  {
    label: 'AWS secret key in a credentials file',
    input: `aws_secret_access_key = ${awsSecret}`,
    secrets: [awsSecret],
    expected: 'aws_secret_access_key = [redacted:aws-secret-key]',
  },
  {
    label: 'AWS secret key in a shell command',
    input: `AWS_SECRET_ACCESS_KEY=${awsSecret2} aws s3 ls s3://bucket`,
    secrets: [awsSecret2],
    expected: 'AWS_SECRET_ACCESS_KEY=[redacted:aws-secret-key] aws s3 ls s3://bucket',
  },
  {
    label: 'AWS access key id in prose',
    input: `Found credentials ${akia} in ~/.aws/credentials`,
    secrets: [akia],
    expected: 'Found credentials [redacted:aws-access-key-id] in ~/.aws/credentials',
  },
  // npm
  {
    label: 'npm token in .npmrc',
    input: `//registry.npmjs.org/:_authToken=${npmToken}`,
    secrets: [npmToken],
    expected: '//registry.npmjs.org/:_authToken=[redacted:npm-token]',
  },
  {
    label: 'npm token in a publish command',
    input: `NODE_AUTH_TOKEN=${npmToken2} npm publish --access public`,
    secrets: [npmToken2],
    expected: 'NODE_AUTH_TOKEN=[redacted:npm-token] npm publish --access public',
  },
  // OpenAI, Anthropic
  {
    label: 'OpenAI legacy key in an env var',
    input: `OPENAI_API_KEY=${skLegacy}`,
    secrets: [skLegacy],
    expected: 'OPENAI_API_KEY=[redacted:openai-key]',
  },
  {
    label: 'OpenAI project key in Python',
    input: `client = OpenAI(api_key="${skProj}")`,
    secrets: [skProj],
    expected: 'client = OpenAI(api_key="[redacted:openai-key]")',
  },
  {
    label: 'OpenAI service-account key in an API error',
    input: `Incorrect API key provided: ${skSvc}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    secrets: [skSvc],
    keep: [
      'provided: [redacted:openai-key]. You can',
      'https://platform.openai.com/account/api-keys.',
    ],
  },
  {
    label: 'Anthropic key in an x-api-key header',
    input: `x-api-key: ${skAnt}`,
    secrets: [skAnt],
    expected: 'x-api-key: [redacted:anthropic-key]',
  },
  {
    label: 'Anthropic admin key in a quoted assignment',
    input: `ANTHROPIC_ADMIN_KEY='${skAnt2}'`,
    secrets: [skAnt2],
    expected: "ANTHROPIC_ADMIN_KEY='[redacted:anthropic-key]'",
  },
  // Sourcegraph
  {
    label: 'Sourcegraph token in an env var',
    input: `SRC_ACCESS_TOKEN=${sgp} src search 'repo:foo'`,
    secrets: [sgp],
    expected: "SRC_ACCESS_TOKEN=[redacted:sourcegraph-token] src search 'repo:foo'",
  },
  {
    label: 'Sourcegraph local token in an Authorization header',
    input: `Authorization: token ${sgpLocal}`,
    secrets: [sgpLocal],
    expected: 'Authorization: token [redacted:sourcegraph-token]',
  },
  {
    label: 'Sourcegraph token as a CLI flag',
    input: `cody auth login --endpoint https://sourcegraph.example.com --access-token ${sgp3}`,
    secrets: [sgp3],
    keep: ['--access-token [redacted:sourcegraph-token]', 'https://sourcegraph.example.com'],
  },
  // Google
  {
    label: 'Google API key in a Firebase config',
    input: `const firebaseConfig = { apiKey: "${googleKey}", authDomain: "demo.firebaseapp.com" }`,
    secrets: [googleKey],
    expected:
      'const firebaseConfig = { apiKey: "[redacted:google-api-key]", authDomain: "demo.firebaseapp.com" }',
  },
  {
    label: 'Google API key in a request URL',
    input: `GET https://maps.googleapis.com/maps/api/geocode/json?address=Paris&key=${googleKey2} 200`,
    secrets: [googleKey2, 'Paris'],
    expected: 'GET https://maps.googleapis.com/maps/api/geocode/json?[redacted] 200',
  },
  // Stripe
  {
    label: 'Stripe live secret key in Python',
    input: `stripe.api_key = "${stripeSecret}"`,
    secrets: [stripeSecret],
    expected: 'stripe.api_key = "[redacted:stripe-key]"',
  },
  {
    label: 'Stripe restricted key in a log',
    input: `request made with restricted key ${stripeRestricted} from 10.0.0.1`,
    secrets: [stripeRestricted],
    expected: 'request made with restricted key [redacted:stripe-key] from 10.0.0.1',
  },
  {
    label: 'Stripe publishable key in front-end code',
    input: `const stripe = Stripe('${stripePublishable}')`,
    secrets: [stripePublishable],
    expected: "const stripe = Stripe('[redacted:stripe-key]')",
  },
  {
    label: 'Stripe test secret key in an env file',
    input: `STRIPE_SECRET_KEY=${stripeTest}`,
    secrets: [stripeTest],
    expected: 'STRIPE_SECRET_KEY=[redacted:stripe-key]',
  },
  {
    label: 'Stripe webhook secret',
    input: `STRIPE_WEBHOOK_SECRET=${stripeWebhook}`,
    secrets: [stripeWebhook],
    expected: 'STRIPE_WEBHOOK_SECRET=[redacted:stripe-key]',
  },
  // Authorization headers
  {
    label: 'opaque bearer token in a header',
    input: `Authorization: Bearer ${opaque}`,
    secrets: [opaque],
    expected: 'Authorization: Bearer [redacted:bearer-token]',
  },
  {
    label: 'JWT bearer token in a curl command',
    input: `curl -H 'Authorization: Bearer ${jwt}' https://api.example.com/v1/me`,
    secrets: [jwt, jwt.split('.')[1] ?? jwt],
    expected: "curl -H 'Authorization: Bearer [redacted:jwt]' https://api.example.com/v1/me",
  },
  {
    label: 'lower-case bearer token in fetch headers',
    input: `fetch(url, { headers: { authorization: 'bearer ${opaque2}' } })`,
    secrets: [opaque2],
    expected: "fetch(url, { headers: { authorization: 'bearer [redacted:bearer-token]' } })",
  },
  {
    label: 'short bearer token',
    input: `Authorization: Bearer ${shortBearer}`,
    secrets: [shortBearer],
    expected: 'Authorization: Bearer [redacted:bearer-token]',
  },
  {
    label: 'basic credentials in a header',
    input: `Authorization: Basic ${basicCredentials}`,
    secrets: [basicCredentials],
    expected: 'Authorization: Basic [redacted:basic-auth]',
  },
  {
    label: 'basic credentials in a curl command',
    input: `curl -H "Authorization: Basic ${basicCredentials2}" https://ci.example.com/api/json`,
    secrets: [basicCredentials2],
    expected:
      'curl -H "Authorization: Basic [redacted:basic-auth]" https://ci.example.com/api/json',
  },
  {
    label: 'Bot token in an Authorization header',
    input: `Authorization: Bot ${discordToken}`,
    secrets: [discordToken],
    expected: 'Authorization: Bot [redacted:authorization-header]',
  },
  {
    label: 'Negotiate token in a Proxy-Authorization header',
    input: `Proxy-Authorization: Negotiate ${negotiate}`,
    secrets: [negotiate],
    expected: 'Proxy-Authorization: Negotiate [redacted:authorization-header]',
  },
  {
    label: 'Digest credentials',
    input: `Authorization: Digest username="alice", realm="api", nonce="${fake(16, hex)}", response="${s3Signature.slice(0, 32)}"`,
    secrets: ['alice', s3Signature.slice(0, 32)],
    expected: 'Authorization: Digest [redacted:authorization-header]',
  },
  // Generic assignments
  {
    label: 'token flag on a command line',
    input: `./deploy --token=${assignmentValue} --env=prod`,
    secrets: [assignmentValue],
    expected: './deploy --token=[redacted:assignment] --env=prod',
  },
  {
    label: 'OAuth token response as a form body',
    input: `access_token=${opaque2}&token_type=bearer&expires_in=3600`,
    secrets: [opaque2],
    expected: 'access_token=[redacted:assignment]&token_type=bearer&expires_in=3600',
  },
  {
    label: 'api_key in YAML',
    input: `service:\n  api_key: ${assignmentValue}\n  region: eu-west-1`,
    secrets: [assignmentValue],
    expected: 'service:\n  api_key: [redacted:assignment]\n  region: eu-west-1',
  },
  {
    label: 'apikey with a colon',
    input: `apikey: ${assignmentValue}`,
    secrets: [assignmentValue],
    expected: 'apikey: [redacted:assignment]',
  },
  {
    label: 'database password in an env file',
    input: `DB_PASSWORD=${password}`,
    secrets: [password, password.slice(4)],
    expected: 'DB_PASSWORD=[redacted:assignment]',
  },
  {
    label: 'password in a JSON body',
    input: `{"username": "alice", "password": "${password}"}`,
    secrets: [password],
    expected: '{"username": "alice", "password": "[redacted:assignment]"}',
  },
  {
    label: 'secret in a query-less form',
    input: `secret=${assignmentValue}`,
    secrets: [assignmentValue],
    expected: 'secret=[redacted:assignment]',
  },
  {
    label: 'client_secret in single quotes',
    input: `client_secret: '${assignmentValue}'`,
    secrets: [assignmentValue],
    expected: "client_secret: '[redacted:assignment]'",
  },
  {
    label: 'Go short variable declaration',
    input: `token := "${assignmentValue}"`,
    secrets: [assignmentValue],
    expected: 'token := "[redacted:assignment]"',
  },
  {
    label: 'PHP array entry',
    input: `'password' => '${password}',`,
    secrets: [password],
    expected: "'password' => '[redacted:assignment]',",
  },
  {
    label: 'password in escaped JSON',
    input: `{\\"passwd\\":\\"${password}\\",\\"user\\":\\"bob\\"}`,
    secrets: [password],
    expected: '{\\"passwd\\":\\"[redacted:assignment]\\",\\"user\\":\\"bob\\"}',
  },
  {
    label: 'password flag of a mysql command',
    input: `mysql -u root --password=${password} app`,
    secrets: [password],
    expected: 'mysql -u root --password=[redacted:assignment] app',
  },
  {
    label: '_auth in .npmrc',
    input: `_auth=${basicCredentials}`,
    secrets: [basicCredentials],
    expected: '_auth=[redacted:assignment]',
  },
  // Private keys
  {
    label: 'RSA private key',
    input: `key:\n${pem('RSA PRIVATE KEY', rsaBody)}\nend`,
    secrets: [rsaBody.slice(0, 40), 'BEGIN RSA'],
    expected: 'key:\n[redacted:private-key]\nend',
  },
  {
    label: 'OpenSSH private key in JSON with escaped newlines',
    input: `{"key":"${pem('OPENSSH PRIVATE KEY', opensshBody, '\\n')}\\n"}`,
    secrets: [opensshBody],
    expected: '{"key":"[redacted:private-key]\\n"}',
  },
  {
    label: 'EC private key',
    input: pem('EC PRIVATE KEY', ecBody),
    secrets: [ecBody.slice(0, 40)],
    expected: '[redacted:private-key]',
  },
  {
    label: 'PKCS#8 private key',
    input: `writing ${pem('PRIVATE KEY', pkcs8Body)} to disk`,
    secrets: [pkcs8Body.slice(0, 40)],
    expected: 'writing [redacted:private-key] to disk',
  },
  {
    label: 'encrypted private key',
    input: pem('ENCRYPTED PRIVATE KEY', encryptedBody),
    secrets: [encryptedBody.slice(0, 40)],
    expected: '[redacted:private-key]',
  },
  {
    label: 'private key cut off by a log limit',
    input: `log: -----BEGIN RSA PRIVATE KEY-----\n${truncatedBody}`,
    secrets: [truncatedBody.slice(0, 40), truncatedBody.slice(-40)],
    expected: 'log: [redacted:private-key]',
  },
  // JWTs
  {
    label: 'JWT as an id_token parameter',
    input: `id_token=${jwt2}`,
    secrets: [jwt2],
    expected: 'id_token=[redacted:jwt]',
  },
  {
    label: 'JWT in a Set-Cookie header',
    input: `Set-Cookie: session=${jwt}; Path=/; HttpOnly`,
    secrets: [jwt],
    expected: 'Set-Cookie: session=[redacted:jwt]; Path=/; HttpOnly',
  },
  {
    label: 'JWT in a log line',
    input: `decoded ${jwt2} for user 42`,
    secrets: [jwt2],
    expected: 'decoded [redacted:jwt] for user 42',
  },
  // Email addresses
  {
    label: 'email in a commit author line',
    input: 'Author: Alice Example <alice@example.com>',
    secrets: ['alice@example.com'],
    expected: 'Author: Alice Example <[redacted:email]>',
  },
  {
    label: 'email with a tag in a mailto link',
    input: 'mailto:bob.smith+telemetry@mail.example.co.uk',
    secrets: ['bob.smith'],
    expected: 'mailto:[redacted:email]',
  },
  {
    label: 'email in JSON',
    input: '{"email":"carol_99@example.org"}',
    secrets: ['carol_99'],
    expected: '{"email":"[redacted:email]"}',
  },
  {
    label: 'email in a git config command',
    input: 'git config user.email dave@corp.example.net',
    secrets: ['dave@'],
    expected: 'git config user.email [redacted:email]',
  },
  // URL credentials, queries, fragments
  {
    label: 'database URL with a password',
    input: `DATABASE_URL=postgres://admin:${password}@db.internal:5432/app`,
    secrets: [password, 'admin'],
    expected: 'DATABASE_URL=postgres://db.internal:5432/app',
  },
  {
    label: 'Redis URL with only a password',
    input: `redis://:${assignmentValue}@cache.internal:6379/0`,
    secrets: [assignmentValue],
    expected: 'redis://cache.internal:6379/0',
  },
  {
    label: 'user name in an https URL',
    input: 'cloning https://alice@example.com/private/repo',
    secrets: ['alice'],
    expected: 'cloning https://example.com/private/repo',
  },
  {
    label: 'OAuth callback with a code in the query',
    input: `GET https://example.com/oauth/callback?code=${oauthCode}&state=xyz 302`,
    secrets: [oauthCode, 'state=xyz'],
    expected: 'GET https://example.com/oauth/callback?[redacted] 302',
  },
  {
    label: 'query and fragment',
    input: 'https://host/p?x=1#y',
    secrets: ['x=1', '#y'],
    expected: 'https://host/p?[redacted]#[redacted]',
  },
  {
    label: 'S3 presigned URL',
    input: `https://bucket.s3.amazonaws.com/file.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${akia}%2F20240101&X-Amz-Signature=${s3Signature}`,
    secrets: [akia, s3Signature],
    expected: 'https://bucket.s3.amazonaws.com/file.zip?[redacted]',
  },
  {
    label: 'access token in a URL fragment',
    input: `https://app.example.com/callback#access_token=${fragmentToken}&token_type=Bearer`,
    secrets: [fragmentToken],
    expected: 'https://app.example.com/callback#[redacted]',
  },
  {
    label: 'URL with a query inside JSON',
    input: `{"url": "https://docs.example.com/page?session=${queryToken}", "status": 200}`,
    secrets: [queryToken],
    expected: '{"url": "https://docs.example.com/page?[redacted]", "status": 200}',
  },
  // Home directories
  {
    label: 'Linux home path',
    input: '/home/alice/src/x.ts',
    secrets: ['alice'],
    expected: '~/src/x.ts',
  },
  {
    label: 'macOS home path in an ENOENT error',
    input:
      "Error: ENOENT: no such file or directory, open '/Users/alice/Library/Application Support/Code/settings.json'",
    secrets: ['alice'],
    expected:
      "Error: ENOENT: no such file or directory, open '~/Library/Application Support/Code/settings.json'",
  },
  {
    label: 'Windows home path',
    input: 'C:\\Users\\alice\\AppData\\Local\\Temp\\x.log',
    secrets: ['alice'],
    expected: '~\\AppData\\Local\\Temp\\x.log',
  },
  {
    label: 'Windows home path with forward slashes',
    input: 'C:/Users/alice/projects/app/src/index.ts',
    secrets: ['alice'],
    expected: '~/projects/app/src/index.ts',
  },
  {
    label: 'Windows home path escaped in JSON',
    input: '{"cwd":"C:\\\\Users\\\\bob\\\\work"}',
    secrets: ['bob'],
    expected: '{"cwd":"~\\\\work"}',
  },
  {
    label: 'home path in a file URL',
    input: 'file:///home/carol/notes.md',
    secrets: ['carol'],
    expected: 'file://~/notes.md',
  },
  {
    label: 'WSL path to a Windows home',
    input: 'cd /mnt/c/Users/dave/code',
    secrets: ['dave'],
    expected: 'cd ~/code',
  },
  {
    label: 'Windows user name with a space',
    input: 'C:\\Users\\Erin Example\\Documents\\report.docx',
    secrets: ['Erin', 'Example'],
    expected: '~\\Documents\\report.docx',
  },
  {
    label: 'bare home directory',
    input: 'HOME=/home/frank',
    secrets: ['frank'],
    expected: 'HOME=~',
  },
  {
    label: 'home path in a stack frame',
    input: 'at Object.<anonymous> (/Users/grace/dev/app/index.js:10:5)',
    secrets: ['grace'],
    expected: 'at Object.<anonymous> (~/dev/app/index.js:10:5)',
  },
]

const innocentRows: readonly string[] = [
  'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  'a94a8fe',
  'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 (HEAD -> main, origin/main)',
  'src/index.ts',
  'README.md',
  '6.1.0',
  'v1.2.3-rc.1',
  '^1.2.3 || >=2.0.0 <3.0.0',
  '~1.2.3',
  'https://github.com/sourcegraph/sourcegraph/blob/main/README.md',
  'github.com/org/repo',
  'repo:^github\\.com/org/repo$ file:\\.ts$ useState',
  'useState getAccessToken() refreshTokenIfNeeded',
  'max_tokens: 4096',
  'tokenizer=cl100k_base',
  'token_count=128',
  '123e4567-e89b-12d3-a456-426614174000',
  'sketch',
  'skeleton-loader sk-learn-contrib-packages task-list',
  '@types/node',
  'lodash@4.17.21',
  'user@2.0.0',
  'npm install @sourcegraph/cody-web@0.3.1-beta.2',
  'react@^18.2.0',
  'git@github.com:sourcegraph/sourcegraph.git',
  '/root/.cache/tally/queue.json',
  '/usr/local/bin/node',
  './node_modules/.bin/vitest run',
  'C:\\Program Files\\nodejs\\node.exe',
  'The bearer of this message',
  'Basic settings',
  'Bearer authentication failed',
  '{"hasPassword": true, "secret": null, "password": ""}',
  'if (token === undefined) return',
  'http://localhost:3000/api/graphql',
  'https://example.com/home/index.html',
  "Error: ENOENT: no such file or directory, open 'src/config.json'",
  'glossary-entries-for-the-documentation',
  'xoxo-hugs-and-kisses-from-everyone',
  'eyJhbGciOiJIUzI1NiJ9',
  'aGVsbG8gd29ybGQ=',
  'ctx.Done() sync.WaitGroup http.StatusOK',
  'AKIAWORDS',
  'https://sourcegraph.com/search',
  'x-access-token',
  'The password must be at least 12 characters.',
  '/api/users/42/profile',
  'opened ‹src/a.ts› at line 3',
  'a@b',
  'café ☕ 日本語',
  '',
]

describe('default scrub rules', () => {
  it('are named, documented and valid', () => {
    const names = defaultScrubRules.map(rule => rule.name)
    expect(new Set(names).size).toBe(names.length)
    for (const rule of defaultScrubRules) {
      expect(rule.name).toMatch(/^[a-z]+(?:-[a-z]+)*$/)
      expect(rule.pattern.global).toBe(true)
      if (typeof rule.replace === 'string') expect(rule.replace).not.toMatch(/[\u2039\u203a]/)
    }
  })

  it('are each documented in docs/scrubbing.md, in the order they run', () => {
    const docs = readFileSync(new URL('../../docs/scrubbing.md', import.meta.url), 'utf8')
    const documented = [...docs.matchAll(/^\| (\d+)\s+\| `([a-z-]+)`/gm)].map(match => match[2])
    expect(documented).toEqual(defaultScrubRules.map(rule => rule.name))
  })

  it('has enough rows in the tables below', () => {
    expect(secretRows.length).toBeGreaterThanOrEqual(70)
    expect(innocentRows.length).toBeGreaterThanOrEqual(35)
  })

  it('match nothing shorter than minDefaultMatchLength, which the scrubber relies on', () => {
    // Copies are not recognised as the defaults, so this scrubber runs every string through
    // the rules instead of trusting the length shortcut.
    const unshortcut = createScrubber(defaultScrubRules.map(rule => ({ ...rule })))
    const alphabet = Array.from('pwdk=:@a.co/hmeU~?#\\ _1-')
    let layer = ['']
    for (let length = 1; length < minDefaultMatchLength; length++) {
      layer = layer.flatMap(prefix => alphabet.map(char => prefix + char))
      const changed = layer.filter(value => unshortcut(value) !== value)
      expect(changed).toEqual([])
    }
    expect(unshortcut('pwd=x')).toBe('pwd=[redacted:assignment]')
  })
})

describe('scrubbing a secret', () => {
  it.each(secretRows)('$label', row => {
    const out = scrub(row.input)
    for (const secret of row.secrets) expect(out).not.toContain(secret)
    if (row.expected !== undefined) expect(out).toBe(row.expected)
    for (const part of row.keep ?? []) expect(out).toContain(part)
  })
})

describe('scrubbing an innocent string', () => {
  it.each(innocentRows)('leaves %j unchanged', value => {
    expect(scrub(value)).toBe(value)
  })
})

describe('markers', () => {
  it('scrubs each segment and keeps the markers where they were', () => {
    expect(scrub('‹/home/alice/x› and ‹token=abc›')).toBe('‹~/x› and ‹token=[redacted:assignment]›')
  })

  it('lets no match span a marker', () => {
    const split = [
      'ghp_‹' + fake(36) + '›',
      'alice‹@›example.com',
      '‹https://›alice@example.com/x',
      '/home‹/›alice/x',
    ]
    expect(split.map(scrub)).toEqual([split[0], split[1], '‹https://›[redacted:email]/x', split[3]])
  })

  it('escapes markers that a user replacer produces', () => {
    const rule: ScrubRule = {
      name: 'marker-maker',
      description: 'A careless user rule.',
      pattern: /ACME-\d+/g,
      replace: () => '‹gone›',
    }
    const withRule = createScrubber([...defaultScrubRules, rule])
    expect(withRule('‹ticket› ACME-1234')).toBe('‹ticket› ?gone?')
  })
})

describe('user rules', () => {
  const ticketRule: ScrubRule = {
    name: 'ticket-id',
    description: 'Internal ticket numbers.',
    pattern: /\bacme-\d{4,}\b/gi,
    replace: '[redacted:ticket-id]',
  }

  it('run after the defaults', () => {
    const withRule = createScrubber([...defaultScrubRules, ticketRule])
    expect(withRule('fixes ACME-12345 for alice@example.com')).toBe(
      'fixes [redacted:ticket-id] for [redacted:email]',
    )
    expect(withRule('v1')).toBe('v1')
  })

  it('may match fewer characters than any default rule', () => {
    const digit: ScrubRule = { name: 'digit', description: 'Digits.', pattern: /\d/g, replace: '#' }
    expect(createScrubber([...defaultScrubRules, digit])('7')).toBe('#')
  })

  it('may reuse a group name used by another rule', () => {
    const rules: ScrubRule[] = [
      { name: 'a', description: 'a', pattern: /(?<id>AAA\d)/g, replace: '[a]' },
      { name: 'b', description: 'b', pattern: /(?<id>BBB\d)/g, replace: '[b]' },
    ]
    expect(createScrubber(rules)('AAA1 BBB2 CCC3')).toBe('[a] [b] CCC3')
  })

  it('throw a TypeError at once without the g flag', () => {
    const rule: ScrubRule = { name: 'no-g', description: 'Missing g.', pattern: /x/, replace: '' }
    expect(() => createScrubber([...defaultScrubRules, rule])).toThrow(TypeError)
    expect(() => createScrubber([rule])).toThrow(/no-g/)
  })

  it('throw a TypeError for the y flag or markers in the replacement', () => {
    const sticky: ScrubRule = { name: 'sticky', description: 'y.', pattern: /x/gy, replace: '' }
    const marker: ScrubRule = { name: 'marker', description: '‹', pattern: /x/g, replace: '‹x›' }
    expect(() => createScrubber([sticky])).toThrow(TypeError)
    expect(() => createScrubber([marker])).toThrow(TypeError)
  })

  it('fail closed when a replacer throws', () => {
    const rule: ScrubRule = {
      name: 'throws',
      description: 'A buggy user rule.',
      pattern: /boom/g,
      replace: () => {
        throw new Error('bug')
      },
    }
    const withRule = createScrubber([...defaultScrubRules, rule])
    expect(withRule('‹safe› boom ‹fine›')).toBe('‹safe›[redacted:unscrubbable]‹fine›')
    expect(withRule('no match here')).toBe('no match here')
  })
})

/** Pieces that secrets and near-misses are made of, so that random strings come close to rules. */
const pieces = [
  'https://',
  'a://',
  '://',
  '@',
  '.',
  '.com',
  'x',
  'B',
  '9',
  '-',
  '_',
  '/',
  '\\',
  ':',
  '=',
  ' ',
  '"',
  "'",
  '?',
  '#',
  '&',
  '[',
  ']',
  '(',
  'token',
  'password',
  'api_key',
  'Authorization: ',
  'Bearer ',
  'Basic ',
  'token ',
  '/home/',
  '/Users/',
  'C:\\Users\\',
  'C:/Users/',
  '/mnt/c',
  '~',
  'ghp_',
  'glpat-',
  'xoxb-1',
  'AKIA',
  'npm_',
  'sk-',
  'sk-ant-',
  'sgp_',
  'AIza',
  'sk_live_',
  'eyJ',
  'git@',
  'hooks.slack.com/services/',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  '\n',
  'aB3dE5gH7jK9mN1pQ2rS',
  'AAAAAAAAAAAAAAAA',
  'dXNlcjpwYXNz',
  '[redacted:x]',
  'true',
  '1.2.3',
  OPEN_MARKER,
  CLOSE_MARKER,
  'aws_secret_access_key=',
  'alice',
  '\ud800',
  '\udc00',
]

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map(code => String.fromCharCode(code))
const nearMisses = fc
  .array(fc.constantFrom(...pieces), { maxLength: 40 })
  .map(parts => parts.join(''))
const anyString = fc.oneof(nearMisses, fc.string({ unit: anyCodeUnit, maxLength: 200 }))
const markerCount = (value: string): number =>
  value.split('').filter(char => char === OPEN_MARKER || char === CLOSE_MARKER).length

describe('properties', () => {
  it('scrubbing is idempotent, never throws and keeps every marker', () => {
    fc.assert(
      fc.property(anyString, value => {
        const once = scrub(value)
        expect(scrub(once)).toBe(once)
        expect(markerCount(once)).toBe(markerCount(value))
      }),
      { numRuns: 1000 },
    )
  })

  it('scrubs 100 KB of near-misses in reasonable time', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 4 }), parts => {
        const unit = parts.join('')
        const value = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000)
        const started = performance.now()
        scrub(value)
        // Linear scans take milliseconds; a quadratic pattern would take many seconds.
        expect(performance.now() - started).toBeLessThan(1500)
      }),
      { numRuns: 40 },
    )
  })

  it('handles a string of several megabytes', () => {
    const value = ('token=' + fake(30) + ' /home/alice/x ').repeat(100_000)
    const out = scrub(value)
    expect(out).not.toContain('alice')
    expect(out.startsWith('token=[redacted:assignment] ~/x ')).toBe(true)
  })
})
