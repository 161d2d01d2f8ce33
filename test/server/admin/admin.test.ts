import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { ExportMode } from '../../../src/protocol/config.js'
import { parseAllowlist } from '../../../src/protocol/export-redaction.js'
import { redactable } from '../../../src/protocol/redactable.js'
import {
  createAdminRoutes,
  type AdminRoutesOptions,
} from '../../../src/server/admin/admin-routes.js'
import {
  adminSessionTtlMs,
  createAdminCredentials,
} from '../../../src/server/admin/admin-session.js'
import { createAuthThrottle } from '../../../src/server/auth-throttle.js'
import { createExportWorker, type ExportWorker } from '../../../src/server/export/export-worker.js'
import { ingested } from '../../support/server-events.js'
import { answer, memoryStore, startHarness, testClock, worker } from '../export/harness.js'
import { byTestId, one, text } from './page-query.js'

const adminToken = 'admin-token-0123456789abcdef'
const allowlist = ['search::submitted::query']
const sameOrigin = { 'sec-fetch-site': 'same-origin' }
const bearer = { authorization: `Bearer ${adminToken}` }

interface SetupOptions {
  mode?: ExportMode
  /** false: no export worker (no gateway configured). */
  withWorker?: boolean
  previewLimit?: number
  /** Free failures before the throttle makes an address wait. @default the throttle's own */
  maxFreeFailures?: number
  worker?: (
    store: ReturnType<typeof memoryStore>,
    clock: ReturnType<typeof testClock>,
  ) => ExportWorker
}

/** The admin routes mounted at /admin as `tally serve` mounts them, over a memory store. */
function setup(options: SetupOptions = {}) {
  const { mode = 'redact', withWorker = true } = options
  const clock = testClock()
  const store = memoryStore(clock)
  const exportWorker =
    options.worker?.(store, clock) ??
    (withWorker
      ? createExportWorker({
          store,
          mode,
          allowlist: parseAllowlist(allowlist),
          now: clock.now,
          // Preview never sends: a loopback URL satisfies the worker's check.
          ...(mode === 'off'
            ? {}
            : { gatewayUrl: 'http://127.0.0.1:9', instanceId: 'admin', instanceKey: 'admin-key' }),
        })
      : undefined)
  const routes: AdminRoutesOptions = {
    adminToken,
    exportMode: mode,
    worker: exportWorker,
    store,
    now: clock.now,
    ...(options.previewLimit === undefined ? {} : { previewLimit: options.previewLimit }),
    ...(options.maxFreeFailures === undefined
      ? {}
      : {
          authThrottle: createAuthThrottle({
            maxFreeFailures: options.maxFreeFailures,
            now: () => clock.now().getTime(),
          }),
        }),
  }
  const app = new Hono()
  app.get('/', c => c.text('the rest of the instance'))
  app.route('/admin', createAdminRoutes(routes))
  const request = async (path: string, init: RequestInit = {}) => app.request(path, init)
  const page = async (headers: Record<string, string> = bearer) => {
    const response = await request('/admin', { headers })
    expect(response.status).toBe(200)
    return response.text()
  }
  const signIn = (token: string, headers: Record<string, string> = sameOrigin) =>
    request('/admin/sign-in', {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers,
    })
  return { store, clock, worker: exportWorker, request, page, signIn }
}

const isSignInPage = (markup: string) =>
  markup.includes('action="/admin/sign-in"') && !markup.includes('data-testid="backlog"')

function sessionCookie(response: Response): string {
  const header = response.headers.get('set-cookie') ?? ''
  const value = /^tally_admin=([^;]+)/.exec(header)?.[1]
  if (value === undefined) throw new Error(`no admin cookie in ${JSON.stringify(header)}`)
  return value
}

/** Three events: an allowlisted redactable query, a key that stays home, no private data. */
async function seed(store: ReturnType<typeof memoryStore>) {
  const events = [
    ingested({
      privateMetadata: {
        query: redactable`repo:${'acme/secret-repo'} ${'password reset'}`,
        repoName: 'acme/secret-repo',
      },
    }),
    ingested({
      feature: 'blob.codeintel',
      action: 'goToDefinition',
      privateMetadata: { path: '/src/secret.ts' },
      userId: 8,
    }),
    ingested({ feature: 'notebook', action: 'viewed' }),
  ]
  await store.insert(events)
  return events.map(event => event.event.id)
}

describe('admin authentication', () => {
  it('shows the sign-in form, and nothing else, without credentials', async () => {
    const { store, request } = setup()
    await seed(store)
    const response = await request('/admin')
    const markup = await response.text()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(isSignInPage(markup)).toBe(true)
    expect(markup).toContain('name="token"')
    expect(markup).not.toContain('secret-repo')

    for (const path of ['/admin/other', '/admin/', '/admin/sign-in']) {
      const other = await request(path)
      expect(other.status, path).toBe(401)
      expect(isSignInPage(await other.text()), path).toBe(true)
    }
  })

  it('answers the API with a 401 JSON error without credentials', async () => {
    const { request } = setup()
    for (const path of ['/admin/api/status', '/admin/api/preview', '/admin/api/unknown']) {
      const response = await request(path)
      expect(response.status, path).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await response.json()).toEqual({
        error: { code: 'unauthenticated', message: expect.any(String) as string },
      })
    }
  })

  it('refuses a wrong token, as a bearer token or in the form', async () => {
    // Seven wrong tokens from one address: the throttle, tested below, would refuse the last.
    const { request, signIn } = setup({ maxFreeFailures: 10 })
    for (const header of [
      `Bearer ${adminToken}x`,
      `Bearer ${adminToken.slice(0, -1)}`,
      adminToken,
    ]) {
      const response = await request('/admin/api/status', { headers: { authorization: header } })
      expect(response.status, header).toBe(401)
      const markup = await (await request('/admin', { headers: { authorization: header } })).text()
      expect(isSignInPage(markup), header).toBe(true)
    }
    const response = await signIn('not-the-admin-token-at-all')
    expect(response.status).toBe(401)
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(text(one(await response.text(), 'sign-in-error').inner)).toMatch(/not this instance/)
  })

  it('lets the admin token in as a bearer token, on the page and the API', async () => {
    const { page, request } = setup()
    expect(isSignInPage(await page(bearer))).toBe(false)
    const response = await request('/admin/api/status', { headers: bearer })
    expect(response.status).toBe(200)
  })

  it('signs in with the form: an HttpOnly, SameSite=Strict session cookie that then works', async () => {
    const { page, signIn, request } = setup()
    const response = await signIn(adminToken)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/admin')
    const setCookie = response.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\/admin(;|$)/)
    expect(setCookie).toMatch(/Max-Age=43200/)
    expect(setCookie).not.toContain(adminToken)
    const cookie = `tally_admin=${sessionCookie(response)}`

    expect(isSignInPage(await page({ cookie }))).toBe(false)
    expect((await request('/admin/api/preview', { headers: { cookie } })).status).toBe(200)

    const out = await request('/admin/sign-out', { method: 'POST', headers: sameOrigin })
    expect(out.status).toBe(303)
    expect(out.headers.get('set-cookie')).toMatch(/^tally_admin=;.*Max-Age=0/)
  })

  it('marks the cookie Secure behind HTTPS', async () => {
    const { signIn } = setup()
    const response = await signIn(adminToken, { ...sameOrigin, 'x-forwarded-proto': 'https' })
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/)
  })

  it('refuses forged, tampered and expired session cookies', async () => {
    const { signIn, request, clock } = setup()
    const genuine = sessionCookie(await signIn(adminToken))
    const [expiry = '', signature = ''] = genuine.split('.')
    const forged = [
      createAdminCredentials('some-other-token-0123456789').issueSession(clock.now()),
      `${String(Number(expiry) + 1)}.${signature}`,
      `${expiry}.${signature.slice(0, -1)}A`,
      `${expiry}.`,
      adminToken,
      'garbage',
    ]
    for (const value of forged) {
      const response = await request('/admin/api/status', {
        headers: { cookie: `tally_admin=${value}` },
      })
      expect(response.status, value).toBe(401)
    }
    const cookie = { cookie: `tally_admin=${genuine}` }
    expect((await request('/admin/api/status', { headers: cookie })).status).toBe(200)
    clock.advance(adminSessionTtlMs + 1)
    expect((await request('/admin/api/status', { headers: cookie })).status).toBe(401)
  })

  it('refuses a sign-in form posted from another site', async () => {
    const { signIn } = setup()
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ]) {
      const response = await signIn(adminToken, headers)
      expect(response.status, JSON.stringify(headers)).toBe(403)
      expect(response.headers.get('set-cookie')).toBeNull()
    }
    expect((await signIn(adminToken, { origin: 'http://localhost' })).status).toBe(303)
  })

  it('stops checking tokens for a while after a few failed sign-ins', async () => {
    const { signIn, request, clock } = setup()
    // Five guesses are free; the sixth makes the address wait a second before the next is checked.
    for (let attempt = 0; attempt < 6; attempt++) {
      expect((await signIn(`wrong-${attempt}`)).status).toBe(401)
    }
    const locked = await signIn(adminToken)
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('1')
    expect(text(one(await locked.text(), 'sign-in-error').inner)).toMatch(/try again in 1 s/)
    // The bearer token is the same secret: it waits too.
    expect((await request('/admin/api/status', { headers: bearer })).status).toBe(429)
    clock.advance(1000)
    expect((await signIn(adminToken)).status).toBe(303)
  })

  it('refuses a weak admin token at construction', () => {
    const store = memoryStore(testClock())
    for (const token of ['', 'short', 'has spaces in it, 0123456789']) {
      expect(() => createAdminRoutes({ adminToken: token, exportMode: 'redact', store })).toThrow(
        /adminToken/,
      )
    }
  })
})

describe('the admin page', () => {
  it('shows the mode, the backlog, and the next export beside what redaction removed', async () => {
    const { store, page, request } = setup()
    const ids = await seed(store)
    const markup = await page()

    expect(text(one(markup, 'export-mode').inner)).toBe('redact')
    expect(text(one(markup, 'backlog').inner)).toBe('3')
    expect(text(one(markup, 'stored').inner)).toBe('3')
    expect(text(one(markup, 'oldest-unexported').inner)).toContain('55 s')
    expect(text(one(markup, 'last-export').inner)).toMatch(/not run yet/)

    const rows = byTestId(markup, 'preview-row')
    expect(rows.map(row => row.attributes['data-event-id'])).toEqual(ids)

    // The JSON on the page is exactly the JSON of the API's items (and of `tally export --preview`).
    const api = (await (await request('/admin/api/preview', { headers: bearer })).json()) as {
      mode: string
      items: {
        event: { id: string }
        exported: unknown
        removed: { path: string[]; kind: string }[]
      }[]
    }
    expect(api.mode).toBe('redact')
    expect(api.items.map(item => item.event.id)).toEqual(ids)
    rows.forEach((row, index) => {
      const shown = JSON.parse(text(one(row.inner, 'exported').inner)) as unknown
      expect(shown).toEqual(api.items[index]?.exported)
    })

    const [search, blob, notebook] = rows.map(row => ({
      exported: text(one(row.inner, 'exported').inner),
      removed: text(one(row.inner, 'removed').inner),
    }))
    // What leaves: the allowlisted query with its unsafe parts cut out, nothing else private.
    expect(search?.exported).toContain('"query": "repo:‹×› ‹×›"')
    expect(search?.exported).not.toContain('secret-repo')
    expect(blob?.exported).not.toContain('secret.ts')
    // What stays home, beside it: the paths and the stored values.
    expect(search?.removed).toContain(
      'parameters.privateMetadata.queryunsafe parts sent as ‹×›"repo:‹acme/secret-repo› ‹password reset›"',
    )
    expect(search?.removed).toContain(
      'parameters.privateMetadata.repoNamestays home"acme/secret-repo"',
    )
    expect(blob?.removed).toContain('parameters.privateMetadata.pathstays home"/src/secret.ts"')
    // The page reads the API's structured removals: one item per removal, its kind attached.
    const kinds = (row: string) =>
      [...row.matchAll(/data-removed-kind="([^"]*)"/g)].map(match => match[1])
    expect(api.items.map(item => item.removed.map(removal => removal.kind))).toEqual(
      rows.map(row => kinds(row.inner)),
    )
    expect(api.items[0]?.removed).toContainEqual({
      path: ['parameters', 'privateMetadata', 'query'],
      kind: 'unsafe-string',
    })
    expect(notebook?.removed).toMatch(/Nothing/)
  })

  it('serves the status as JSON', async () => {
    const { store, request } = setup()
    await seed(store)
    const response = await request('/admin/api/status', { headers: bearer })
    const status = (await response.json()) as {
      mode: string
      metrics: { backlog: number; mode: string } | null
      stats: { total: number; backlog: number }
    }
    expect(status.mode).toBe('redact')
    expect(status.metrics).toMatchObject({ mode: 'redact', backlog: 3 })
    expect(status.stats).toMatchObject({ total: 3, backlog: 3 })
  })

  it('shows previewLimit events a page, and the API pages the same way', async () => {
    const { store, page, request } = setup({ previewLimit: 2 })
    const ids = await seed(store)
    const rowIds = (markup: string) =>
      byTestId(markup, 'preview-row').map(row => row.attributes['data-event-id'])
    const first = await page()
    expect(rowIds(first)).toEqual(ids.slice(0, 2))
    expect(text(one(first, 'preview-range').inner)).toContain('Events 1–2 of the 3 waiting')
    expect(one(first, 'preview-pages').inner).toContain('href="/admin?page=2"')

    const second = await request('/admin?page=2', { headers: bearer })
    const secondMarkup = await second.text()
    expect(rowIds(secondMarkup)).toEqual(ids.slice(2, 3))
    expect(one(secondMarkup, 'preview-pages').inner).toContain('href="/admin?page=1"')
    expect(one(secondMarkup, 'preview-pages').inner).not.toContain('page=3')

    const api = async (query: string) => {
      const response = await request(`/admin/api/preview?${query}`, { headers: bearer })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    const { body } = await api('limit=1&page=3')
    expect(body).toMatchObject({ mode: 'redact', page: 3, limit: 1, backlog: 3 })
    expect((body.items as { event: { id: string } }[]).map(item => item.event.id)).toEqual([ids[2]])
    expect((await api('limit=2&page=9')).body.items).toEqual([])
    for (const query of [
      'limit=0',
      'limit=-1',
      'limit=1.5',
      'limit=x',
      'limit=101',
      'page=0',
      'page=-1',
      'page=x',
      'page=1.5',
      'page=99999999',
    ]) {
      expect((await api(query)).status, query).toBe(400)
    }
    // A page past the end says so; a malformed page number goes back to the first.
    expect(text(await (await request('/admin?page=7', { headers: bearer })).text())).toContain(
      'No waiting events from number 13 on.',
    )
    expect((await request('/admin?page=zero', { headers: bearer })).status).toBe(302)
  })

  it('bounds what one event shows: long values cut with their size, removed paths counted', async () => {
    const { store, page } = setup()
    const privateMetadata = Object.fromEntries(
      Array.from({ length: 1500 }, (_, n) => [`key${String(n).padStart(4, '0')}`, `value ${n}`]),
    )
    await store.insert(
      Array.from({ length: 50 }, () => ingested({ privateMetadata, feature: 'bulk' })),
    )
    const markup = await page()
    // Before the bound: 13 MB for this backlog. Now a page of 25 events, each cut.
    expect(markup.length).toBeLessThan(1_000_000)
    expect(byTestId(markup, 'preview-row')).toHaveLength(25)
    expect(byTestId(markup, 'removed-value')).toHaveLength(25 * 20)
    expect(byTestId(markup, 'removed-more').map(found => text(found.inner))).toEqual(
      Array.from({ length: 25 }, () => expect.stringContaining('1,480 more paths') as unknown),
    )
  })

  it('cuts a long exported value on the page and says its whole size', async () => {
    const { store, page } = setup({ mode: 'full' })
    const long = 'x'.repeat(20_000)
    await store.insert([ingested({ privateMetadata: { long } })])
    const markup = await page()
    const exported = one(markup, 'exported').inner
    expect(exported.length).toBeLessThan(5_000)
    expect(text(one(markup, 'cut').inner)).toMatch(/cut: 4,000 of 2\d,\d{3}\s+characters shown/)
  })

  it('escapes every stored value: markup, quotes and ‹ › markers stay text', async () => {
    const { store, page } = setup()
    const hostileId = `"><script>alert('id')</script>`
    const hostile = {
      query: redactable`find ${`</mark></pre><script>alert("query")</script>`} ‹${'x'}`,
      [`k"><img src=x onerror=alert(1)>`]: `</td><script>alert('key')</script>`,
      markers: `‹<b onclick="x()">unclosed`,
      quotes: `' " \` &amp; &lt;`,
    }
    await store.insert([
      ingested({ id: hostileId, privateMetadata: hostile }),
      ingested({ feature: '<script>f</script>', action: 'a"b', privateMetadata: { x: '›<i>' } }),
    ])
    const markup = await page()

    // Every tag on the page is one the page itself writes, and no attribute runs code.
    const tags = new Set([...markup.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map(m => m[1]))
    const ours = new Set(
      'html head meta title style body header h1 span div a form button main section h3 p h2 table colgroup col thead tr th tbody td strong code pre time ul li mark'.split(
        ' ',
      ),
    )
    expect([...tags].filter(tag => tag !== undefined && !ours.has(tag))).toEqual([])
    const attributeNames = [...markup.matchAll(/<[a-z][^>]*>/g)].map(tag =>
      tag[0].replace(/"[^"]*"/g, '""'),
    )
    expect(attributeNames.filter(tag => /\son[a-z]+=/i.test(tag))).toEqual([])

    const rows = byTestId(markup, 'preview-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]?.attributes['data-event-id']).toBe(hostileId)
    expect(markup).toContain('data-event-id="&quot;&gt;&lt;script&gt;alert(&#39;id&#39;)')

    // The text survives escaping intact: the JSON that leaves still parses to the same values.
    const first = rows[0]?.inner ?? ''
    const exported = JSON.parse(text(one(first, 'exported').inner)) as {
      id: string
      parameters: { privateMetadata?: Record<string, unknown> }
    }
    expect(exported.id).toBe(hostileId)
    expect(exported.parameters.privateMetadata).toEqual({ query: 'find ‹×› ?‹×›' })
    const removed = text(one(first, 'removed').inner)
    expect(removed).toContain(`parameters.privateMetadata["k\\"><img src=x onerror=alert(1)>"]`)
    expect(removed).toContain(`</td><script>alert('key')</script>`)
    expect(removed).toContain(`‹<b onclick=\\"x()\\">unclosed`)
    expect(removed).toContain(`' \\" \` &amp; &lt;`)
    expect(text(rows[1]?.inner ?? '')).toContain('<script>f</script>')
  })

  it('says that nothing leaves in off mode', async () => {
    const { store, page, request } = setup({ mode: 'off' })
    await seed(store)
    const markup = await page()
    expect(text(one(markup, 'export-mode').inner)).toBe('off')
    expect(text(one(markup, 'preview-notice').inner)).toMatch(/nothing leaves this instance/)
    expect(byTestId(markup, 'preview-row')).toEqual([])
    expect(text(one(markup, 'backlog').inner)).toBe('3')
    expect(text(one(markup, 'last-export').inner)).toMatch(/Off/)
    const preview = await request('/admin/api/preview', { headers: bearer })
    expect(await preview.json()).toMatchObject({ mode: 'off', page: 1, items: [] })
  })

  it('says that nothing is exported when no worker runs (no gateway configured)', async () => {
    const { store, page, request } = setup({ withWorker: false })
    await seed(store)
    const markup = await page()
    expect(text(one(markup, 'last-export').inner)).toMatch(/Not configured/)
    expect(text(one(markup, 'preview-notice').inner)).toMatch(/No gateway is configured/)
    expect(text(one(markup, 'backlog').inner)).toBe('3')
    expect(byTestId(markup, 'preview-row')).toEqual([])
    const status = (await (await request('/admin/api/status', { headers: bearer })).json()) as {
      metrics: unknown
      stats: { backlog: number }
    }
    expect(status.metrics).toBeNull()
    expect(status.stats.backlog).toBe(3)
    const preview = await request('/admin/api/preview', { headers: bearer })
    expect(await preview.json()).toMatchObject({ mode: 'redact', page: 1, items: [] })
  })

  it('shows the last export error, then the success that empties the backlog', async () => {
    const harness = await startHarness()
    const {
      store,
      page,
      clock,
      worker: exporting,
    } = setup({
      worker: (store, clock) =>
        worker(harness, store, { now: clock.now, allowlist: parseAllowlist(allowlist) }),
    })
    const ids = await seed(store)
    harness.faults.push(() => answer(503))
    expect((await exporting?.runOnce())?.status).toBe('failed')
    let markup = await page()
    const failing = text(one(markup, 'last-export').inner)
    expect(failing).toMatch(/Failing/)
    expect(failing).toContain(exporting?.metrics().lastError?.message)
    expect(failing).toMatch(/No batch has got through yet/)
    expect(byTestId(markup, 'preview-row')).toHaveLength(3)

    clock.advance(10 * 60_000)
    expect((await exporting?.runOnce())?.status).toBe('exported')
    markup = await page()
    expect(text(one(markup, 'last-export').inner)).toMatch(/OK/)
    expect(text(one(markup, 'last-export').inner)).toMatch(/3 exported/)
    expect(text(one(markup, 'backlog').inner)).toBe('0')
    expect(text(one(markup, 'preview-notice').inner)).toMatch(/backlog is empty/)
    expect(await harness.received()).toEqual(ids)
  })

  it('sends headers that keep the page private and script-free', async () => {
    const { page, request } = setup()
    await page()
    const response = await request('/admin', { headers: bearer })
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/,
    )
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    const signInPage = await request('/admin')
    expect(signInPage.headers.get('cache-control')).toBe('no-store')
  })

  it('answers 503 when the store fails, as a page or as JSON', async () => {
    const { store, request } = setup()
    store.stats = () => Promise.reject(new Error('database is locked'))
    const page = await request('/admin', { headers: bearer })
    expect(page.status).toBe(503)
    expect(text(await page.text())).toContain('database is locked')
    const api = await request('/admin/api/status', { headers: bearer })
    expect(api.status).toBe(503)
    expect(await api.json()).toEqual({
      error: { code: 'unavailable', message: 'database is locked' },
    })
  })

  it('sends /admin/ to /admin, and an unknown page to a 404', async () => {
    const { request } = setup()
    const slash = await request('/admin/', { headers: bearer })
    expect(slash.status).toBe(302)
    expect(slash.headers.get('location')).toBe('/admin')
    expect((await request('/admin/nope', { headers: bearer })).status).toBe(404)
  })

  it('leaves the rest of the instance alone', async () => {
    const { request } = setup()
    const response = await request('/')
    expect(await response.text()).toBe('the rest of the instance')
    expect(response.headers.get('content-security-policy')).toBeNull()
  })
})
