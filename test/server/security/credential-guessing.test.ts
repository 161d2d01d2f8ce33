import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { startGateway } from '../../../src/server/gateway/start-gateway.js'
import { sampleEvent } from '../../support/events.js'
import { adminToken, eventToken, oneEventBatch, sendRaw, startInstance } from './instance.js'

// Only Date is faked: the throttle's waits pass at a word, while sockets run in real time.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const wait = (seconds: number) => {
  vi.setSystemTime(Date.now() + seconds * 1000)
}

const sameOrigin = { 'sec-fetch-site': 'same-origin' }

describe('guessing event tokens at tally serve', () => {
  it('answers 429 after a few wrong bearer tokens, with a wait that doubles each time', async () => {
    const { send } = await startInstance()
    const guess = (token: string, from?: string) =>
      send('/.api/telemetry/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: oneEventBatch(),
        ...(from === undefined ? {} : { from }),
      })

    const answers = []
    for (let attempt = 0; attempt < 200; attempt++) answers.push(await guess(`guess-${attempt}`))
    // Five failures are free and the sixth starts the wait: 194 guesses are never checked.
    expect(answers.map(answer => answer.status)).toEqual([
      ...Array<number>(6).fill(401),
      ...Array<number>(194).fill(429),
    ])
    const refused = answers[199]
    expect(refused?.headers['retry-after']).toBe('1')
    expect(JSON.parse(refused?.text ?? '')).toEqual({
      error: { code: 'rate-limited', message: expect.stringMatching(/retry in 1 s/) as string },
    })

    const waits = []
    for (let round = 0; round < 4; round++) {
      wait(Number((await guess('still-wrong')).headers['retry-after']))
      expect((await guess(`guess-after-wait-${round}`)).status).toBe(401)
      waits.push(Number((await guess('too-soon')).headers['retry-after']))
    }
    expect(waits).toEqual([2, 4, 8, 16])

    // While this address waits, even the right token is not checked; another address is not slowed.
    expect((await guess(eventToken)).status).toBe(429)
    const other = await guess(eventToken, '127.0.0.2')
    expect(other.status).toBe(200)
    expect(JSON.parse(other.text)).toMatchObject({ rejected: [] })
  })
})

describe('guessing the admin token at tally serve', () => {
  it("lets the real admin sign in while another address's guesses wait", async () => {
    const { send } = await startInstance()
    const signIn = (token: string, from: string) =>
      send('/admin/sign-in', {
        method: 'POST',
        headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        from,
      })
    const guesses = []
    for (let attempt = 0; attempt < 11; attempt++) {
      guesses.push((await signIn(`wrong-${attempt}`, '127.0.0.2')).status)
    }
    expect(guesses).toEqual([...Array<number>(6).fill(401), ...Array<number>(5).fill(429)])

    const admin = await signIn(adminToken, '127.0.0.1')
    expect(admin.status).toBe(303)
    expect(admin.headers['set-cookie']?.[0]).toMatch(/^tally_admin=/)
  })

  it('throttles bearer guesses on the admin API and page as one credential with the form', async () => {
    const { send } = await startInstance()
    const statuses = []
    for (let attempt = 0; attempt < 100; attempt++) {
      const path = attempt % 2 === 0 ? '/admin/api/status' : '/admin'
      const answer = await send(path, { headers: { authorization: `Bearer wrong-${attempt}` } })
      statuses.push(answer.status)
    }
    // The page answers a wrong token with the sign-in form (200), which is a failure all the same.
    expect(statuses.slice(0, 6)).toEqual([401, 200, 401, 200, 401, 200])
    expect(statuses.slice(6).every(status => status === 429)).toBe(true)

    const api = await send('/admin/api/status', {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    expect(api.status).toBe(429)
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.parse(api.text)).toMatchObject({ error: { code: 'rate-limited' } })
    const form = await send('/admin/sign-in', {
      method: 'POST',
      headers: { ...sameOrigin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: adminToken }).toString(),
    })
    expect(form.status).toBe(429)
    expect(form.text).toMatch(/Too many wrong admin tokens/)

    wait(Number(api.headers['retry-after']))
    const after = await send('/admin/api/status', {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    expect(after.status).toBe(200)
  })
})

describe('guessing instance keys at the gateway', () => {
  it("answers 429 to one instance's guesses at another's key, and not to the other instance", async () => {
    const gateway = await startGateway({
      port: 0,
      instanceKeys: new Map([
        ['mallory', 'mallory-key-0123456789'],
        ['victim', 'victim-key-0123456789'],
      ]),
    })
    try {
      const post = (instance: string, key: string, from: string) =>
        sendRaw(`${gateway.url}/v1/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-tally-instance': instance,
            authorization: `Bearer ${key}`,
          },
          body: encodeBatch({ events: [sampleEvent()], sentAt: new Date() }),
          from,
        })
      const statuses = []
      for (let attempt = 0; attempt < 50; attempt++) {
        statuses.push((await post('victim', `guess-${attempt}`, '127.0.0.2')).status)
      }
      expect(statuses).toEqual([...Array<number>(6).fill(401), ...Array<number>(44).fill(429)])
      // The list endpoint is the same key: no way around the wait there.
      const list = await sendRaw(`${gateway.url}/v1/events?instance=victim`, {
        headers: { authorization: 'Bearer victim-key-0123456789' },
        from: '127.0.0.2',
      })
      expect(list.status).toBe(429)
      expect(list.headers['retry-after']).toBe('1')

      expect((await post('victim', 'victim-key-0123456789', '127.0.0.1')).status).toBe(200)
    } finally {
      await gateway.close()
    }
  })
})
