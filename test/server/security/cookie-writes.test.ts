import { describe, expect, it } from 'vitest'
import { adminToken, demoCookie, eventToken, oneEventBatch, startInstance } from './instance.js'

type Instance = Awaited<ReturnType<typeof startInstance>>

async function storedEvents(instance: Instance): Promise<number> {
  const status = await instance.send('/admin/api/status', {
    headers: { authorization: `Bearer ${adminToken}` },
  })
  return (JSON.parse(status.text) as { stats: { total: number } }).stats.total
}

/** A simple request (no preflight) as a page's `fetch(…, { credentials: 'include' })` sends it. */
function post(instance: Instance, headers: Record<string, string>) {
  return instance.send('/.api/telemetry/events', {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    body: oneEventBatch(),
  })
}

describe('writes authenticated by a session cookie at tally serve', () => {
  it('refuses a text/plain POST with the cookie from a foreign origin, and stores nothing', async () => {
    const instance = await startInstance()
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://127.0.0.1:1' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const answer = await post(instance, { cookie: demoCookie(), ...headers })
      expect(answer.status, JSON.stringify(headers)).toBe(403)
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'forbidden-origin' } })
    }
    expect(await storedEvents(instance)).toBe(0)
  })

  it("keeps a same-origin keepalive send working, and a configured CORS origin's", async () => {
    const instance = await startInstance({ corsOrigins: ['https://app.example'] })
    const accepted = [
      { origin: new URL(instance.url).origin, 'sec-fetch-site': 'same-origin' },
      // A browser that sends no Origin but says where the request came from.
      { 'sec-fetch-site': 'same-origin' },
      { origin: 'https://app.example', 'sec-fetch-site': 'cross-site' },
      // Neither header: not a browser, which no page can make send the cookie.
      {},
    ]
    for (const headers of accepted) {
      const answer = await post(instance, { cookie: demoCookie(), ...headers })
      expect(answer.status, JSON.stringify(headers)).toBe(200)
    }
    expect(await storedEvents(instance)).toBe(accepted.length)
  })

  it('leaves bearer-authenticated writes alone, whatever their origin', async () => {
    const instance = await startInstance()
    const answer = await post(instance, {
      authorization: `Bearer ${eventToken}`,
      origin: 'https://evil.example',
    })
    expect(answer.status).toBe(200)
    expect(await storedEvents(instance)).toBe(1)
  })
})
