import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorBody, type ErrorCode } from '../protocol/answers.js'
import type { DemoSessions } from '../server.js'

export interface DemoRoutesOptions {
  /** Signs users in and out: the same sessions whose `authenticate` the telemetry handler uses. */
  sessions: DemoSessions
  /** The built app (`dist/demo`): `index.html`, `app.js`, `app.css`. */
  staticDir: string
}

/** The names the demo signs in: short, lowercase, safe in a cookie and a subject. */
export const demoUserPattern = /^[a-z][a-z0-9-]{0,31}$/

const notBuilt =
  'The demo app is not built: run `npm run build` (it builds dist/demo with rollup.demo.mjs).'

// No `map`: the demo ships without source maps, and an old build's maps stay unserved.
const assetTypes: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}
// Dot-separated lowercase segments, none empty: no slash and no `..`, so no way out of staticDir.
const assetName = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.([a-z]+)$/

const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
}

// Sign-in bodies hold one short name.
const maxBodyBytes = 4096

function isForm(c: Context): boolean {
  const type = c.req.header('content-type') ?? ''
  return /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)
}

function isJson(c: Context): boolean {
  return /^application\/json\b/i.test(c.req.header('content-type') ?? '')
}

/** JSON errors for scripts, plain text for a form a browser posted. */
function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  return isForm(c) ? c.text(message, status) : c.json(errorBody(code, message), status)
}

function cookie(c: Context, name: string, value: string, maxAgeMs: number): string {
  const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : ''
  const maxAge = Math.floor(maxAgeMs / 1000)
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${secure}; Max-Age=${maxAge}`
}

async function readUser(c: Context): Promise<unknown> {
  if (isJson(c)) {
    const body: unknown = await c.req.json().catch(() => undefined)
    return typeof body === 'object' && body !== null ? (body as { user?: unknown }).user : undefined
  }
  const body = await c.req.parseBody()
  return body.user
}

/**
 * The demo app (`GET /` and its assets under `/demo/`) and its session: `GET /demo/session`,
 * `POST /demo/sign-in` (form or JSON `user`) and `POST /demo/sign-out`. Mount it beside a
 * telemetry handler that takes `sessions.authenticate`, which then knows the signed-in user.
 * The sign-in is not authentication: anyone may sign in under any name.
 */
export function createDemoRoutes({ sessions, staticDir }: DemoRoutesOptions): Hono {
  const app = new Hono()
  // Its own, so that a host app's error handler (the telemetry handler answers 500 to any
  // throw) does not turn the CSRF check's 403 into a 500 once these routes are mounted.
  app.onError((error, c) =>
    error instanceof HTTPException
      ? error.getResponse()
      : c.json(errorBody('internal', 'internal error'), 500),
  )

  for (const path of ['/demo/sign-in', '/demo/sign-out']) {
    // A form post from another site is refused (Origin / Sec-Fetch-Site); JSON needs CORS anyway.
    app.use(path, csrf())
    app.use(
      path,
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: c => fail(c, 413, 'too-large', `The body exceeds ${maxBodyBytes} bytes.`),
      }),
    )
  }

  app.get('/', async c => {
    const file = join(staticDir, 'index.html')
    // Checked on each request, so that a build made while the server runs is picked up.
    if (!existsSync(file)) return c.text(notBuilt, 404)
    return c.body(await readFile(file), 200, pageHeaders)
  })

  app.get('/demo/session', async c => {
    const identity = await sessions.authenticate(c.req.raw)
    const user = identity?.subject.startsWith('session:')
      ? identity.subject.slice('session:'.length)
      : null
    c.header('cache-control', 'no-store')
    return c.json({ user })
  })

  app.post('/demo/sign-in', async c => {
    if (!isForm(c) && !isJson(c)) {
      return fail(
        c,
        415,
        'unsupported-media-type',
        'Send the user as JSON or as a form (application/x-www-form-urlencoded).',
      )
    }
    const user = await readUser(c)
    if (typeof user !== 'string' || !demoUserPattern.test(user)) {
      return fail(
        c,
        400,
        'bad-request',
        'The user name must be 1 to 32 characters: a lowercase letter, then lowercase letters, digits or hyphens.',
      )
    }
    c.header('set-cookie', cookie(c, sessions.cookieName, sessions.create(user), sessions.maxAgeMs))
    c.header('cache-control', 'no-store')
    return isForm(c) ? c.redirect('/', 303) : c.json({ user })
  })

  app.post('/demo/sign-out', c => {
    c.header('set-cookie', cookie(c, sessions.cookieName, '', 0))
    c.header('cache-control', 'no-store')
    return isForm(c) ? c.redirect('/', 303) : c.json({ user: null })
  })

  app.get('/demo/:file', async (c, next) => {
    const name = c.req.param('file')
    const type = assetTypes[assetName.exec(name)?.[1] ?? '']
    if (type === undefined) return next()
    if (!existsSync(staticDir)) return c.text(notBuilt, 404)
    const file = join(staticDir, name)
    if (!existsSync(file)) return c.text(`Not found: /demo/${name}`, 404)
    return c.body(await readFile(file), 200, {
      'content-type': type,
      // Unhashed names: revalidate each time, so that a rebuild shows at once.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    })
  })

  return app
}

/**
 * Where the built demo is for code loaded from `moduleUrl` (`import.meta.url`): `dist/demo`
 * of the nearest folder above it with a `package.json`. Works from `dist/cli.js` (the
 * package) and from `src/` under tsx alike.
 */
export function defaultDemoDir(moduleUrl: string): string {
  let folder = dirname(fileURLToPath(moduleUrl))
  for (;;) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'dist', 'demo')
    const parent = dirname(folder)
    if (parent === folder) return join(dirname(fileURLToPath(moduleUrl)), 'demo')
    folder = parent
  }
}
