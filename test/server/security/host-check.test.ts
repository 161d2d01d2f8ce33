import { describe, expect, it } from 'vitest'
import { hostName, isLoopbackHost } from '../../../src/server/host-check.js'
import { startInstance } from './instance.js'

const paths = ['/', '/.api/telemetry/config', '/metrics', '/admin', '/admin/api/status', '/nowhere']

describe('the Host check of tally serve bound to loopback', () => {
  it('refuses a rebound name on every route with a 403 JSON error', async () => {
    const { send } = await startInstance()
    for (const host of [
      'evil.example',
      'evil.example:80',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
    ]) {
      for (const path of paths) {
        const answer = await send(path, { headers: { host } })
        expect(answer.status, `${host}${path}`).toBe(403)
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'forbidden-host' } })
      }
    }
  })

  it('answers loopback names with any port', async () => {
    const { send } = await startInstance()
    for (const host of [
      'localhost',
      'localhost:5173',
      'app.localhost:1',
      '127.0.0.1:9',
      '127.1.2.3',
      '[::1]:80',
      'LOCALHOST.',
    ]) {
      expect((await send('/.api/telemetry/config', { headers: { host } })).status, host).toBe(200)
    }
  })

  it('answers the names --allowed-host adds', async () => {
    const { send } = await startInstance({ allowedHosts: ['evil.example', '.tally.test'] })
    for (const host of ['evil.example:8080', 'tally.test', 'a.tally.test']) {
      expect((await send('/.api/telemetry/config', { headers: { host } })).status, host).toBe(200)
    }
    expect((await send('/', { headers: { host: 'other.example' } })).status).toBe(403)
  })
})

describe('host names', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['[::1]', true],
    ['::1', true],
    ['[0:0:0:0:0:0:0:1]', true],
    ['[::ffff:127.0.0.1]', true],
    ['dev.localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['localhost.example', false],
    ['127.0.0.1.example', false],
  ])('%s is loopback: %s', (name, loopback) => {
    expect(isLoopbackHost(name)).toBe(loopback)
  })

  it.each([
    ['Example.COM:8080', 'example.com'],
    ['[::1]:80', '[::1]'],
    ['localhost.', 'localhost'],
    ['host', 'host'],
  ])('the name in Host %s is %s', (header, name) => {
    expect(hostName(header)).toBe(name)
  })
})
