/**
 * A secret-scrubbing rule: every match of `pattern` in a string of privateMetadata is replaced
 * before the event is queued on the client, and again on the server.
 */
export interface ScrubRule {
  /** kebab-case, e.g. 'github-token' */
  readonly name: string
  /**
   * One line for people: what it catches, and why. Never read at run time; the default rules
   * keep theirs in comments and in docs/scrubbing.md, so that no prose ships in the bundle.
   */
  readonly description?: string
  /** must have the global flag; must not use backreferences; must not match the marker characters U+2039 ‹ or U+203A › */
  readonly pattern: RegExp
  /** replacement string (may use $1 etc.) or function as in String.prototype.replace */
  readonly replace: string | ((match: string, ...groups: string[]) => string)
  /**
   * A cheap test that every match passes (a literal the pattern cannot match without, such
   * as `@` for emails). Where it fails the rule is skipped: patterns that must scan a run of
   * word characters at every position cost far more than a scan for one literal.
   */
  readonly trigger?: RegExp
}

/*
 * How to read the patterns:
 * - Every rule starts at a literal prefix, a `\b` or a scheme, and its quantifiers are bounded
 *   (URL parts excepted, see urlUpTo), so a 100 KB string of near-misses costs linear time,
 *   not quadratic (see the adversarial test).
 * - No lookbehind: Safari before 16.4 throws on it at parse time, which would break the
 *   whole client. A rule that needs to see the character before a match captures it and
 *   puts it back with `$1`.
 * - A replacement never matches its own rule again (`[redacted:…]` starts with `[`, which no
 *   value pattern accepts as a first character), so the server's scrub of what the client
 *   already scrubbed changes nothing. Where one rule's output completes a match for an earlier
 *   rule, the engine's second round catches it.
 */

const redacted = (name: string): string => `[redacted:${name}]`

/** One default rule; most replace the whole match with `[redacted:<name>]`. */
const rule = (
  name: string,
  trigger: RegExp,
  pattern: RegExp,
  replace: ScrubRule['replace'] = redacted(name),
): ScrubRule => ({ name, trigger, pattern, replace })

/** `scheme://`, e.g. `https://`, `git+ssh://`. */
const scheme = String.raw`\b[A-Za-z][\w+.-]{1,20}:\/\/`

/**
 * The part of a URL before its query (or fragment): anything but whitespace, quotes, `<>`,
 * backticks and the `end` characters, and no `://`, so that a string of `a://a://a://…` cannot
 * make every scheme rescan the rest of the string; a URL nested in a path starts its own match.
 */
const urlUpTo = (end: string): string => String.raw`(?:[^\s${end}:"'<>\x60]|:(?!\/\/))*`

/** Characters of a query or fragment: up to whitespace, a quote, `<>` or a backtick. */
const urlTail = (end: string): string => String.raw`[^\s${end}"'<>\x60]`

/** A character a user name in a home path cannot contain. */
const notInUserName = String.raw`\s\\/~"'<>|:*?()[\]{},;\x60`
const userName = String.raw`[^${notInUserName}]{1,64}`

const authSchemes = 'bearer|basic|token|bot|digest|negotiate|ntlm|apikey|sso-key'

/** A `name=value` or `name="value"` parameter of an Authorization header. */
const authParam = String.raw`[\w-]{1,64}=(?:"[^"\r\n]{0,1024}"|[^\s",;]{0,1024})`

const assignmentKeyword = [
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'auth',
  'credentials?',
  'api[_-]?key',
  'access[_-]?key',
  'private[_-]?key',
].join('|')

const quotedValue = (quote: string): string =>
  String.raw`(${quote})(?!\[redacted)(?:[^${quote}\\\r\n]|\\.){1,1024}${quote}`

/** What separates a name from its value: `=`, `:`, Go's `:=` or PHP's `=>`, after a closing quote. */
const assignedBy = String.raw`\\?["']?\s*(?::=|=>|[:=])\s*`

/**
 * A value as assigned in code, config or a shell: in escaped JSON quotes (group 3), in quotes
 * (group 4 or 5), or bare up to whitespace, a quote, `&<>`, a backslash or the `end` characters.
 * A bare value is refused where it is one of the `declined` alternatives (each starting with `|`).
 */
const assignedValue = (end: string, declined: string): string =>
  String.raw`(?:(\\")(?!\[redacted)(?:[^"\\\r\n]|\\[^"\r\n]){1,1024}\\"|` +
  quotedValue('"') +
  '|' +
  quotedValue("'") +
  '|' +
  // JSON's true/false/null say no secret is there, and `==` is a comparison.
  String.raw`(?!\[redacted|(?:true|false|null|undefined|none|nil${declined})(?![\w.-])|=)` +
  String.raw`(?:[^\s"'\x60&<>\\${end}]|\\(?!["'])){1,1024})`

/**
 * Names that say secret without ending in an assignment keyword: `…_SECRET_KEY`, `SECRET_KEY_BASE`,
 * `AccountKey`, `DB_PASS`, and session cookies (`session_id`, `PHPSESSID`, `connect.sid`).
 */
const secretName =
  // Alone, `pass` and `session` are too often prose ("session: expired"); `sid` is not.
  String.raw`[\w.-]{0,64}?(?:[_.-](?:pass|session)|sid|sess(?:ion)?[_.-]?id|key[_.-]?base|` +
  String.raw`(?:secret|encryption|signing|master|session|client|app|account)[_.-]?key)`

/**
 * The default rules, applied in this order. Order matters where one rule's text contains
 * another's:
 * 1. url-credentials first: it only deletes, so nothing after it can create a match for it,
 *    and `https://user@host` must not reach the email rule.
 * 2. Multi-line and structured secrets (private-key, jwt, slack-webhook) before the URL and
 *    token rules, which would otherwise redact their parts and leave the rest.
 * 3. url-query and url-fragment before the token rules: a whole query is redacted anyway.
 * 4. Token rules with a known prefix, each named for its issuer; anthropic-key before
 *    openai-key since both start with `sk-`.
 * 5. bearer-token and basic-auth before authorization-header, which only catches what they
 *    declined, and all of them before the generic assignment rule so that
 *    `Authorization: Bearer x` keeps its scheme.
 * 6. secret-name after assignment, taking only the names that assignment does not.
 * 7. email, then home-path, last: they rewrite text the earlier rules may need to see.
 */
export const defaultScrubRules: readonly ScrubRule[] = [
  // User name and password in a URL (https://user:pass@host): removed, since either may be a
  // token.
  rule(
    'url-credentials',
    /:\/\//,
    // Greedy up to the last `@` of the authority, for passwords with a raw `@` in them.
    new RegExp(String.raw`(${scheme})[^\s/?#"'<>\x60]+@`, 'g'),
    '$1',
  ),
  // PEM private-key blocks (PKCS#8, RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP), or a truncated one up
  // to where its body ends.
  rule(
    'private-key',
    /PRIVATE KEY/,
    new RegExp(
      String.raw`-----BEGIN[A-Z0-9 ]{1,40}PRIVATE KEY(?: BLOCK)?-----` +
        String.raw`(?:[\s\S]{0,16384}?-----END[A-Z0-9 ]{1,40}PRIVATE KEY(?: BLOCK)?-----|` +
        // A block cut off by a log line limit still leaks its body, so take what is left of it.
        String.raw`[\w+/=\s\\:.,-]{0,16384})`,
      'g',
    ),
  ),
  // JSON Web Tokens: three base64url segments, the header starting eyJ; they are bearer
  // credentials.
  rule(
    'jwt',
    /eyJ/,
    // Not after a `-` either: in `eyJa-eyJa-…` every `eyJ` would rescan up to 1024 characters.
    /(^|[^\w-])eyJ[\w-]{8,1024}\.[\w-]{2,8192}\.[\w-]{0,2048}/g,
    `$1${redacted('jwt')}`,
  ),
  // Slack incoming-webhook and workflow URLs: the path is the credential.
  rule(
    'slack-webhook',
    /hooks\.slack\.com/,
    /\b(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[\w/-]{8,255}/g,
  ),
  // The query of a URL (?a=1&b=2): replaced whole, since tokens, codes and emails travel there.
  rule(
    'url-query',
    /:\/\//,
    new RegExp(String.raw`(${scheme}${urlUpTo('?#')})\?${urlTail('#')}+`, 'g'),
    '$1?[redacted]',
  ),
  // The fragment of a URL (#…): replaced whole, since OAuth implicit flows put access tokens
  // there.
  rule(
    'url-fragment',
    /:\/\//,
    new RegExp(String.raw`(${scheme}${urlUpTo('#')})#${urlTail('')}+`, 'g'),
    '$1#[redacted]',
  ),
  // GitHub tokens: classic and fine-grained personal, OAuth, user-to-server, server-to-server,
  // refresh.
  rule(
    'github-token',
    /gh[pousr]_|github_pat_/,
    /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_\w{22,255})/g,
  ),
  // GitLab tokens by their documented prefixes (glpat-, gldt-, glrt-, glptt-, gloas-, …) and
  // legacy runner registration tokens.
  rule(
    'gitlab-token',
    /gl[a-z]{2,6}-|GR1348941/,
    // An explicit list, not gl[a-z]+-: that would take kebab-case words such as glossary-….
    /\b(?:gl(?:pat|dt|rt|rtr|ptt|ft|imt|agent|oas|cbt|soat|ffct|wt)-[\w.-]{20,255}|GR1348941[\w-]{20,255})/g,
  ),
  // Slack bot, user, app, refresh and configuration tokens (xoxb-, xoxp-, xapp-, …).
  rule(
    'slack-token',
    /xox|xapp-/,
    // Their bodies start with a digit (a team or user id), which keeps xoxo-hugs-and-kisses out.
    /\b(?:xox(?:[abcprs]|e(?:\.xox[bp])?)-\d[A-Za-z0-9-]{9,254}|xapp-\d-[A-Za-z0-9-]{10,255})/g,
  ),
  // AWS access key ids (AKIA… long-term, ASIA… temporary): not secret alone, but they name the
  // key pair.
  rule('aws-access-key-id', /A[KSBC][IC]A/, /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g),
  // AWS secret access keys where labelled (aws_secret_access_key = …, "SecretAccessKey": "…");
  // unlabelled they are just 40 base64 characters.
  rule(
    'aws-secret-key',
    /secret/i,
    /\b([\w.-]{0,32}?secret[_-]?(?:access[_-]?)?key\\?["']?\s*(?::=|=>|[:=])\s*\\?["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    `$1${redacted('aws-secret-key')}`,
  ),
  // npm access tokens (npm_ and 36 characters), as found in .npmrc and CI logs.
  rule('npm-token', /npm_/, /\bnpm_[A-Za-z0-9]{36,255}/g),
  // Anthropic API and admin keys (sk-ant-…).
  rule('anthropic-key', /sk-ant-/, /\bsk-ant-[\w-]{20,255}/g),
  // OpenAI-style secret keys (sk-…, sk-proj-…, sk-svcacct-…) and the many APIs that copied the
  // format.
  rule(
    'openai-key',
    /sk-/,
    // A digit is required so that kebab-case words after `sk-` (sk-learn-…) stay; a real key of
    // 20 or more random characters has one with near certainty.
    /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z_-]{0,254}\d)[\w-]{20,255}/g,
  ),
  // Sourcegraph access tokens (sgp_…, including sgp_local_… and instance-scoped ones).
  rule('sourcegraph-token', /sgp_/, /\bsgp_\w{20,255}/g),
  // Google API keys (AIza and 35 characters), which bill to their owner.
  rule('google-api-key', /AIza/, /\bAIza[\w-]{35}/g),
  // Stripe secret, restricted and publishable keys (sk_live_, rk_test_, pk_live_, …) and webhook
  // secrets (whsec_).
  rule(
    'stripe-key',
    /_live_|_test_|whsec_/,
    // Publishable keys are public by design but still identify the account, and cost nothing to drop.
    /\b(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9]{24,255})/g,
  ),
  // The credential after "Bearer", in a header or anywhere else; the scheme word is kept.
  rule(
    'bearer-token',
    /bearer/i,
    // Short values must contain a digit, so that prose ("the bearer of bad news") survives; a
    // value of 20 or more token characters is taken as is.
    /\b(bearer\s+)(?!\[redacted)(?:[\w.~+/-]{20,4096}|(?=[A-Za-z.~+/_-]{0,18}\d)[\w.~+/-]{6,19}(?![\w.~+/-]))=*/gi,
    `$1${redacted('bearer-token')}`,
  ),
  // The base64 user:password after "Basic"; the scheme word is kept. Declines plain words such as
  // "Basic settings".
  rule(
    'basic-auth',
    /basic/i,
    /\b(basic\s+)(?!\[redacted)[A-Za-z0-9+/]{8,4096}={0,2}/gi,
    (match: string, scheme: string | undefined = '') => {
      const value = match.slice(scheme.length)
      // Base64 always comes in fours; credentials encode to mixed case, digits or + / =,
      // where a word is lower case after its first letter.
      const looksEncoded = value.length % 4 === 0 && /[\d+/=]|.[A-Z]/.test(value)
      return looksEncoded ? scheme + redacted('basic-auth') : match
    },
  ),
  // The value of an Authorization or Proxy-Authorization header that bearer-token and basic-auth
  // declined (token, Bot, short bearer values, …).
  rule(
    'authorization-header',
    /authorization/i,
    new RegExp(
      // One run of spaces on each side of an optional quote, never two runs in a row: `\s*\\?["']?\s*`
      // splits a run of n spaces n ways, and 48,000 of them froze the server for seconds.
      String.raw`\b((?:proxy-)?authorization\\?["']?\s*[:=](?:\s*\\?["'])?\s*(?:(?:${authSchemes})\s+)?)` +
        String.raw`(?!\[redacted|(?:${authSchemes})\s)` +
        // Digest credentials are a list of parameters with the user name among them: take them all.
        String.raw`(?:${authParam}|[^\s"'\\,;]{1,4096})(?:\s*,\s*${authParam}){0,16}`,
      'gi',
    ),
    `$1${redacted('authorization-header')}`,
  ),
  // Values assigned to keys that end in token, secret, password, api_key, auth, … (key=v,
  // key: v, "key": "v"); the key is kept.
  rule(
    'assignment',
    // Wider than the keywords (any `key`, any `pass`): a trigger only spares the scan.
    /token|secret|pass|pwd|auth|credential|key/i,
    new RegExp(
      String.raw`\b([\w.-]{0,64}?(?:${assignmentKeyword}))(${assignedBy})` + assignedValue('', ''),
      'gi',
    ),
    // Unmatched groups substitute as '', so the quote the value had, if any, is put back.
    `$1$2$3$4$5${redacted('assignment')}$3$4$5`,
  ),
  // Values of other secret-sounding names in environment, shell, config and cookie syntax
  // (SECRET_KEY_BASE=…, DB_PASS=…, session_id=…; Path=/); the name is kept.
  rule(
    'secret-name',
    /pass|sid|sess|key/i,
    new RegExp(
      String.raw`\b((?:${secretName})${assignedBy})()` +
        // A number of up to 6 digits after such a name is a setting (session: 3600, sid=42).
        assignedValue(';,', String.raw`|\d{1,6}`),
      'gi',
    ),
    `$1$3$4$5${redacted('secret-name')}$3$4$5`,
  ),
  // Email addresses. Not npm specs (pkg@1.2.3, @types/node) and not git@ of SSH remotes, which
  // name no one.
  rule(
    'email',
    /@/,
    /\b(?!git@)\w[\w.%+-]{0,63}@(?!v?\d+\.\d+\.\d+)(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}\b/g,
  ),
  // Home directories (/home/alice, /Users/alice, C:\\Users\\alice, WSL /mnt/c/Users/alice) become
  // ~: the user name is personal. /root is kept: it names no one, and shows a tool ran as root.
  rule(
    'home-path',
    /\/Users|\/home|:[\\/]{1,2}users/i,
    // The captured character before the path stands in for a lookbehind: /home inside a longer
    // path or a URL (example.com/home/…) is left alone.
    new RegExp(
      String.raw`(^|[^\w.~-])(?:(?:\/mnt\/[a-z])?\/Users|\/home|[A-Za-z]:(?:\\{1,2}|\/)[Uu][Ss][Ee][Rr][Ss])` +
        String.raw`(?:\\{1,2}|\/)` +
        // A Windows profile name may have spaces, but only take them when a separator follows.
        String.raw`(?:${userName}(?: ${userName}){1,4}(?=[\\/])|${userName})`,
      'g',
    ),
    '$1~',
  ),
]

/**
 * No default rule matches fewer characters than this (`pwd=x`), so the scrubber skips shorter
 * strings without running a regex when no user rule is in play.
 */
export const minDefaultMatchLength = 5
