import { describe, expect, it } from 'vitest'
import { demoSessions } from '../../src/server.js'
import { isTallyServerError } from '../../src/server/errors/tally-server-error.js'

const secret = 'demo-sessions-secret'
const start = new Date('2026-12-01T08:00:00Z')

function request(cookie: string): Request {
  return new Request('http://localhost/.api/telemetry/events', { headers: { cookie } })
}

describe('demoSessions', () => {
  it('knows the user of a session it created, as session:<user>', async () => {
    const sessions = demoSessions(secret)
    const cookie = `tally_session=${sessions.create('alice')}`
    expect(await sessions.authenticate(request(cookie))).toEqual({ subject: 'session:alice' })
  })

  it('creates a different cookie at each sign-in, each for the same subject', async () => {
    const sessions = demoSessions(secret, { now: () => start })
    const values = new Set(Array.from({ length: 50 }, () => sessions.create('alice')))
    expect(values.size).toBe(50)
    for (const value of values)
      expect(await sessions.authenticate(request(`tally_session=${value}`))).toEqual({
        subject: 'session:alice',
      })
  })

  it('refuses a session from maxAgeMs after its sign-in on', async () => {
    let now = start
    const sessions = demoSessions(secret, { maxAgeMs: 60_000, now: () => now })
    const cookie = `tally_session=${sessions.create('alice')}`
    now = new Date(start.getTime() + 59_999)
    expect(await sessions.authenticate(request(cookie))).toEqual({ subject: 'session:alice' })
    now = new Date(start.getTime() + 60_000)
    expect(await sessions.authenticate(request(cookie))).toBeUndefined()
  })

  it('keeps names with dots, percent signs and spaces apart and intact', async () => {
    const sessions = demoSessions(secret)
    for (const user of ['a.b', 'a%2Eb', 'a b', 'ü.x.y']) {
      const cookie = `tally_session=${sessions.create(user)}`
      expect(await sessions.authenticate(request(cookie))).toEqual({ subject: `session:${user}` })
    }
  })

  it('lets the first session cookie of a request decide', async () => {
    const sessions = demoSessions(secret)
    const forged = `tally_session=${demoSessions('another-secret').create('admin')}`
    const genuine = `tally_session=${sessions.create('alice')}`
    expect(await sessions.authenticate(request(`${forged}; ${genuine}`))).toBeUndefined()
    expect(await sessions.authenticate(request(`other=1; ${genuine}; ${forged}`))).toEqual({
      subject: 'session:alice',
    })
  })

  it.each([
    ['an empty secret', () => demoSessions('')],
    ['a maxAgeMs under a second', () => demoSessions(secret, { maxAgeMs: 999 })],
    ['a fractional maxAgeMs', () => demoSessions(secret, { maxAgeMs: 1500.5 })],
    ['an empty user', () => demoSessions(secret).create('')],
  ])('throws an invalid-setting error for %s', (_case, misuse) => {
    let thrown: unknown
    try {
      misuse()
    } catch (error) {
      thrown = error
    }
    expect(isTallyServerError(thrown) && thrown.code).toBe('invalid-setting')
  })
})
