import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminToken, startInstance } from './instance.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('signing out of the admin pages of tally serve', () => {
  it('ends the session on the server: a copy of the cookie no longer works', async () => {
    // Date alone is faked, so that the second session starts at another moment.
    vi.useFakeTimers({ toFake: ['Date'] })
    const { send } = await startInstance()
    const sameOrigin = { 'sec-fetch-site': 'same-origin' }
    const signIn = await send('/admin/sign-in', {
      method: 'POST',
      headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: adminToken }).toString(),
    })
    expect(signIn.status).toBe(303)
    const cookie = /^tally_admin=[^;]+/.exec(signIn.headers['set-cookie']?.[0] ?? '')?.[0] ?? ''
    expect(cookie).not.toBe('')
    expect((await send('/admin/api/status', { headers: { cookie } })).status).toBe(200)

    vi.setSystemTime(Date.now() + 1000)
    const other = await send('/admin/sign-in', {
      method: 'POST',
      headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: adminToken }).toString(),
    })
    const otherCookie = /^tally_admin=[^;]+/.exec(other.headers['set-cookie']?.[0] ?? '')?.[0] ?? ''
    expect(otherCookie).not.toBe(cookie)

    const signOut = await send('/admin/sign-out', {
      method: 'POST',
      headers: { ...sameOrigin, cookie },
    })
    expect(signOut.status).toBe(303)
    const stolen = await send('/admin/api/status', { headers: { cookie } })
    expect(stolen.status).toBe(401)
    expect((await send('/admin', { headers: { cookie } })).text).toContain('name="token"')
    // Only that session ended: the one signed in at another moment goes on.
    expect((await send('/admin/api/status', { headers: { cookie: otherCookie } })).status).toBe(200)
  })
})
