// The demo as the real `tally serve` mounts it: only with --demo, and then with sessions that
// differ at each sign-in and run out.
import type { ChildProcess } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { demoSessions } from '../../../src/server.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { sampleEvent } from '../../support/events.js'
import { startServe } from '../../support/tally-serve.js'

const token = 'demo-serve-token-0123456789'
const sessionSecret = 'demo-serve-session-secret-0123456789'

interface Running {
  child: ChildProcess
  url: string
  dataDir: string
}

const started: Running[] = []

async function serve(demo: boolean): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-serve-demo-'))
  const { child, url } = startServe({
    dataDir,
    token: `ci=${token}`,
    from: 'source',
    demo,
    sessionSecret,
  })
  const running = { child, url: '', dataDir }
  started.push(running)
  running.url = await url
  return running
}

/** SIGTERM, so that the CLI closes its store. */
async function stop(running: Running): Promise<void> {
  const { child } = running
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

afterAll(async () => {
  await Promise.all(started.map(stop))
  for (const { dataDir } of started) rmSync(dataDir, { recursive: true, force: true })
})

/** The cookie `tally serve` signed before sessions had an id and an expiry. */
const unexpiringCookie = (user: string) =>
  `tally_session=${user}.${createHmac('sha256', sessionSecret).update(user).digest('base64url')}`

async function sendEvent(url: string, headers: Record<string, string>) {
  const event = sampleEvent({ timestamp: new Date() })
  const response = await fetch(`${url}/.api/telemetry/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, ...headers },
    body: encodeBatch({ events: [event], sentAt: new Date() }),
  })
  return { id: event.id, status: response.status }
}

async function signIn(url: string, user: string): Promise<string> {
  const response = await fetch(`${url}/demo/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ user }),
  })
  expect(response.status).toBe(200)
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  expect(cookie).toMatch(/^tally_session=./)
  return cookie
}

describe('tally serve without --demo', { timeout: 60_000 }, () => {
  let server: Running
  beforeAll(async () => {
    server = await serve(false)
  })

  it.each([
    ['GET', '/'],
    ['GET', '/demo/app.js'],
    ['GET', '/demo/session'],
    ['POST', '/demo/sign-in'],
    ['POST', '/demo/sign-out'],
  ])('has no demo route: %s %s answers 404', async (method, path) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: server.url },
      ...(method === 'POST' ? { body: JSON.stringify({ user: 'alice' }) } : {}),
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('accepts events by bearer token only, never by a session cookie signed with its secret', async () => {
    expect((await sendEvent(server.url, { authorization: `Bearer ${token}` })).status).toBe(200)
    expect((await sendEvent(server.url, { cookie: unexpiringCookie('alice') })).status).toBe(401)
    const current = `tally_session=${demoSessions(sessionSecret).create('alice')}`
    expect((await sendEvent(server.url, { cookie: current })).status).toBe(401)
  })
})

describe('tally serve --demo', { timeout: 60_000 }, () => {
  let server: Running
  beforeAll(async () => {
    server = await serve(true)
  })

  it('gives two sign-ins under one name different cookies that record as one user', async () => {
    const first = await signIn(server.url, 'alice')
    const second = await signIn(server.url, 'alice')
    expect(first).not.toBe(second)
    const sent = [
      await sendEvent(server.url, { cookie: first }),
      await sendEvent(server.url, { cookie: second }),
    ]
    expect(sent.map(({ status }) => status)).toEqual([200, 200])
    const other = await sendEvent(server.url, { cookie: await signIn(server.url, 'bob') })
    expect(other.status).toBe(200)

    // WAL: the rows the server acknowledged are readable beside it.
    const store = openSqliteStore({ path: join(server.dataDir, 'tally.db') })
    try {
      await store.migrate()
      const rows = await store.get([...sent.map(({ id }) => id), other.id])
      const userOf = (id: string) => rows.find(row => row.event.id === id)?.userId
      const [alice1, alice2] = sent.map(({ id }) => userOf(id))
      expect(alice1).toEqual(expect.any(Number))
      expect(alice2).toBe(alice1)
      expect(userOf(other.id)).not.toBe(alice1)
      expect(await store.userId('session:alice')).toBe(alice1)
    } finally {
      await store.close()
    }
  })

  it('refuses a session cookie whose expiry has passed, though signed with its secret', async () => {
    const signedLastWeek = demoSessions(sessionSecret, {
      now: () => new Date(Date.now() - 7 * 24 * 60 * 60_000),
    }).create('alice')
    const cookie = `tally_session=${signedLastWeek}`
    expect((await sendEvent(server.url, { cookie })).status).toBe(401)
    const session = await fetch(`${server.url}/demo/session`, { headers: { cookie } })
    expect(await session.json()).toEqual({ user: null })
  })

  it('refuses the unexpiring cookie of earlier versions', async () => {
    const cookie = unexpiringCookie('alice')
    expect((await sendEvent(server.url, { cookie })).status).toBe(401)
  })

  it('sets a Max-Age on the sign-in cookie', async () => {
    const response = await fetch(`${server.url}/demo/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ user: 'carol' }),
    })
    expect(response.headers.get('set-cookie')).toMatch(/; Max-Age=43200$/)
  })

  it('serves no source map', async () => {
    const response = await fetch(`${server.url}/demo/app.js.map`)
    expect(response.status).toBe(404)
  })
})
