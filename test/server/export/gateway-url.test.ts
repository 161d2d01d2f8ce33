import { describe, expect, it } from 'vitest'
import { gatewayEventsUrl, isLoopbackHost } from '../../../src/server/export/gateway-url.js'

describe('gatewayEventsUrl', () => {
  it.each([
    ['https://gateway.example.com', 'https://gateway.example.com/v1/events'],
    ['https://gateway.example.com/', 'https://gateway.example.com/v1/events'],
    ['https://example.com/tally/', 'https://example.com/tally/v1/events'],
    ['http://127.0.0.1:4318', 'http://127.0.0.1:4318/v1/events'],
    ['http://127.8.9.10', 'http://127.8.9.10/v1/events'],
    ['http://127.1:80', 'http://127.0.0.1/v1/events'],
    ['http://localhost:4318', 'http://localhost:4318/v1/events'],
    ['http://LOCALHOST', 'http://localhost/v1/events'],
    ['http://[::1]:4318', 'http://[::1]:4318/v1/events'],
  ])('accepts %s', (base, expected) => {
    expect(gatewayEventsUrl(base).href).toBe(expected)
  })

  it.each([
    ['plain http to a public host', 'http://example.com', /HTTPS only/],
    ['plain http to a private address', 'http://10.0.0.1', /HTTPS only/],
    ['plain http to 0.0.0.0', 'http://0.0.0.0', /HTTPS only/],
    ['a host that only starts like loopback', 'http://127.0.0.1.example.com', /HTTPS only/],
    ['a localhost subdomain', 'http://evil.localhost', /HTTPS only/],
    ['an IPv4-mapped IPv6 address', 'http://[::ffff:127.0.0.1]', /HTTPS only/],
    ['another scheme', 'ftp://example.com', /scheme must be https/],
    ['a relative URL', '/v1', /not an absolute URL/],
    ['credentials in the URL', 'https://user:pass@example.com', /credentials/],
    ['a query', 'https://example.com/?a=1', /query or fragment/],
  ])('refuses %s with a clear Error', (_name, base, message) => {
    expect(() => gatewayEventsUrl(base)).toThrow(message)
  })
})

describe('what a refusal shows of the URL', () => {
  it.each([
    ['a password', 'https://user:hunter2-secret@example.com', 'https://…@example.com/'],
    [
      'a password over plain http',
      'http://admin:hunter2-secret@example.com',
      'http://…@example.com/',
    ],
    ['a token in the query', 'https://example.com/?token=hunter2-secret', 'https://example.com/…'],
    ['a token in the fragment', 'ftp://example.com/#hunter2-secret', 'ftp://example.com/…'],
    [
      'credentials in a URL that does not parse',
      '//user:hunter2-secret@example.com',
      '//…@example.com',
    ],
    ['a query in a URL that does not parse', 'example.com/?key=hunter2-secret', 'example.com/…'],
  ])('hides %s', (_name, url, shown) => {
    let message = ''
    try {
      gatewayEventsUrl(url)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain(JSON.stringify(shown))
    expect(message).not.toContain('hunter2')
  })
})

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.255', true],
    ['localhost', true],
    ['localhost.', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['example.com', false],
    ['[::2]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
