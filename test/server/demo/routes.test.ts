import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { createDemoRoutes, defaultDemoDir } from '../../../src/demo/routes.js'
import { demoSessions } from '../../../src/server.js'

const secret = 'demo-routes-secret'
const origin = 'http://localhost'

const parent = mkdtempSync(join(tmpdir(), 'tally-demo-'))
const staticDir = join(parent, 'demo')
mkdirSync(staticDir)
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>demo</title>')
writeFileSync(join(staticDir, 'app.js'), 'console.log("demo")')
writeFileSync(join(staticDir, 'app.css'), 'body { margin: 0 }')
writeFileSync(join(staticDir, 'app.js.map'), '{"version":3}')
// Outside the static folder: no request may read it.
writeFileSync(join(parent, 'tally-demo-secret.js'), 'secret')
afterAll(() => {
  rmSync(parent, { recursive: true, force: true })
})

const sessions = demoSessions(secret)
const app = createDemoRoutes({ sessions, staticDir })

function request(path: string, init: RequestInit = {}) {
  return app.request(`${origin}${path}`, init)
}

function signIn(body: string, contentType: string, headers: Record<string, string> = {}) {
  return request('/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  })
}

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
function cookiePair(response: Response): string {
  const header = response.headers.get('set-cookie') ?? ''
  return header.split(';')[0] ?? ''
}

async function sessionUser(cookie: string): Promise<unknown> {
  const response = await request('/demo/session', { headers: { cookie } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { user: unknown }).user
}

describe('the demo page and its assets', () => {
  it('serves index.html at / with a content security policy', async () => {
    const response = await request('/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await response.text()).toContain('<title>demo</title>')
  })

  it.each([
    ['/demo/app.js', 'text/javascript; charset=utf-8', 'console.log("demo")'],
    ['/demo/app.css', 'text/css; charset=utf-8', 'body { margin: 0 }'],
  ])('serves %s as %s', async (path, type, body) => {
    const response = await request(path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe(body)
  })

  it('does not serve source maps, even one an older build left in the folder', async () => {
    const response = await request('/demo/app.js.map')
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('version')
  })

  it.each([
    '/demo/missing.js',
    '/demo/index.html',
    '/demo/..%2Ftally-demo-secret.js',
    '/demo/%2e%2e/tally-demo-secret.js',
    '/demo/../tally-demo-secret.js',
    '/demo/.%2e/tally-demo-secret.js',
    '/demo/APP.JS',
    '/demo/app.exe',
  ])('answers 404 for %s and never reads outside the folder', async path => {
    const response = await request(path)
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('secret')
  })

  it('says how to build the demo when it was not built', async () => {
    const unbuilt = createDemoRoutes({
      sessions,
      staticDir: join(staticDir, 'does-not-exist'),
    })
    for (const path of ['/', '/demo/app.js']) {
      const response = await unbuilt.request(`${origin}${path}`)
      expect(response.status).toBe(404)
      expect(await response.text()).toMatch(/demo app is not built: run `npm run build`/)
    }
  })

  it('finds dist/demo under the package root from any module inside it', () => {
    const root = join(import.meta.dirname, '..', '..', '..')
    expect(defaultDemoDir(import.meta.url)).toBe(join(root, 'dist', 'demo'))
  })
})

describe('the demo session', () => {
  it('is signed out without a cookie', async () => {
    const response = await request('/demo/session')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ user: null })
  })

  it('signs in with JSON: an HttpOnly, SameSite=Lax cookie for 12 h the telemetry handler accepts', async () => {
    const response = await signIn(JSON.stringify({ user: 'alice' }), 'application/json')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ user: 'alice' })
    const header = response.headers.get('set-cookie') ?? ''
    expect(header).toMatch(
      /^tally_session=[^;\s]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    )

    const cookie = cookiePair(response)
    expect(await sessionUser(cookie)).toBe('alice')
    // The same cookie authenticates event batches: the handler's authenticator knows alice.
    const identity = await sessions.authenticate(
      new Request(`${origin}/.api/telemetry/events`, { headers: { cookie } }),
    )
    expect(identity).toEqual({ subject: 'session:alice' })
  })

  it('gives each sign-in its own session, under one user', async () => {
    const body = JSON.stringify({ user: 'alice' })
    const first = cookiePair(await signIn(body, 'application/json'))
    const second = cookiePair(await signIn(body, 'application/json'))
    expect(first).not.toBe(second)
    expect(await sessionUser(first)).toBe('alice')
    expect(await sessionUser(second)).toBe('alice')
  })

  it('stops knowing the user once the session has run out', async () => {
    let now = new Date('2026-12-01T08:00:00Z')
    const clocked = demoSessions(secret, { now: () => now })
    const routes = createDemoRoutes({ sessions: clocked, staticDir })
    const response = await routes.request(`${origin}/demo/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice' }),
    })
    const cookie = cookiePair(response)
    const user = async () => {
      const answer = await routes.request(`${origin}/demo/session`, { headers: { cookie } })
      return ((await answer.json()) as { user: unknown }).user
    }
    now = new Date('2026-12-01T19:59:59Z')
    expect(await user()).toBe('alice')
    now = new Date('2026-12-01T20:00:00Z')
    expect(await user()).toBeNull()
  })

  it('marks the cookie Secure over HTTPS', async () => {
    const response = await app.request('https://code.example.com/demo/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bob' }),
    })
    expect(response.headers.get('set-cookie')).toContain('; SameSite=Lax; Secure;')
  })

  it('signs in with a same-origin form and redirects to the app', async () => {
    const response = await signIn('user=bob-2', 'application/x-www-form-urlencoded', { origin })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/')
    expect(await sessionUser(cookiePair(response))).toBe('bob-2')
  })

  it('refuses a form posted from another site', async () => {
    const response = await signIn('user=mallory', 'application/x-www-form-urlencoded', {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('keeps refusing it when mounted in an app with its own error handler', async () => {
    const host = new Hono()
    host.onError((_error, c) => c.text('internal error', 500))
    host.route('/', app)
    const response = await host.request(`${origin}/demo/sign-in`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: 'user=mallory',
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it.each([
    ['empty', ''],
    ['uppercase', 'Alice'],
    ['leading digit', '1alice'],
    ['leading hyphen', '-alice'],
    ['space', 'al ice'],
    ['slash', 'a/b'],
    ['dot', 'alice.admin'],
    ['percent', 'al%69ce'],
    ['33 characters', 'a'.repeat(33)],
    ['not a string', 42],
    ['missing', undefined],
  ])('refuses a user name that is %s', async (_case, user) => {
    const response = await signIn(JSON.stringify({ user }), 'application/json')
    expect(response.status).toBe(400)
    expect(response.headers.get('set-cookie')).toBeNull()
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('bad-request')
    expect(body.error.message).toMatch(/lowercase letter/)
  })

  it('accepts the longest name, 32 characters', async () => {
    const response = await signIn(
      JSON.stringify({ user: `a${'b'.repeat(31)}` }),
      'application/json',
    )
    expect(response.status).toBe(200)
  })

  it.each([
    ['undecodable JSON', '{"user":', 'application/json', 400],
    ['a JSON array', '["alice"]', 'application/json', 400],
    ['another content type', 'alice', 'application/xml', 415],
    [
      'an oversized body',
      JSON.stringify({ user: 'a', pad: 'x'.repeat(10_000) }),
      'application/json',
      413,
    ],
  ])('answers %s with a JSON error', async (_case, body, type, status) => {
    const response = await signIn(body, type)
    expect(response.status).toBe(status)
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await response.json()).toMatchObject({ error: { code: expect.any(String) as string } })
  })

  it('does not trust a tampered, foreign or unexpiring cookie', async () => {
    const good = sessions.create('alice')
    expect(await sessionUser(`tally_session=${good}`)).toBe('alice')
    expect(await sessionUser(`tally_session=${good.replace('alice', 'admin')}`)).toBeNull()
    const [user, id, expiresAtMs, signature] = good.split('.')
    const later = `${user}.${id}.${Number(expiresAtMs) + 86_400_000}.${signature}`
    expect(await sessionUser(`tally_session=${later}`)).toBeNull()
    expect(await sessionUser(`tally_session=${demoSessions('other').create('alice')}`)).toBeNull()
    expect(await sessionUser('tally_session=alice')).toBeNull()
    // The cookie of earlier versions, `<user>.<hmac(user)>`, never ran out.
    const unexpiring = `alice.${createHmac('sha256', secret).update('alice').digest('base64url')}`
    expect(await sessionUser(`tally_session=${unexpiring}`)).toBeNull()
  })

  it('signs out by expiring the cookie', async () => {
    const response = await request('/demo/sign-out', { method: 'POST', headers: { origin } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ user: null })
    expect(response.headers.get('set-cookie')).toBe(
      'tally_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    )
  })
})
