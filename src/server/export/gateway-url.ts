import { gatewayPingsPath } from '../../protocol/ping.js'
import { InvalidSettingError } from '../errors/invalid-setting-error.js'

/**
 * Checks the gateway's base URL and returns the URL events are posted to
 * (`<base>/v1/events`). Throws an InvalidSettingError for a URL that would send events in the clear: upstream
 * traffic is HTTPS only, plain HTTP is allowed to loopback alone (a local gateway, tests).
 */
export function gatewayEventsUrl(gatewayUrl: string): URL {
  return gatewayEndpoint(gatewayUrl, '/v1/events')
}

/** The URL daily pings are posted to (`<base>/v1/pings`), after the same checks. */
export function gatewayPingsUrl(gatewayUrl: string): URL {
  return gatewayEndpoint(gatewayUrl, gatewayPingsPath)
}

function gatewayEndpoint(gatewayUrl: string, endpoint: string): URL {
  let base: URL
  try {
    base = new URL(gatewayUrl)
  } catch {
    throw new InvalidSettingError(
      'gatewayUrl',
      `Invalid gateway URL ${shownUrl(gatewayUrl)}: not an absolute URL`,
    )
  }
  const shown = shownUrl(gatewayUrl)
  if (base.protocol === 'http:') {
    if (!isLoopbackHost(base.hostname)) {
      throw new InvalidSettingError(
        'gatewayUrl',
        `Refusing gateway URL ${shown}: events leave over HTTPS only; plain http is allowed to loopback hosts (127.0.0.0/8, ::1, localhost) alone`,
      )
    }
  } else if (base.protocol !== 'https:') {
    throw new InvalidSettingError(
      'gatewayUrl',
      `Refusing gateway URL ${shown}: the scheme must be https (or http to loopback)`,
    )
  }
  if (base.username !== '' || base.password !== '') {
    // fetch refuses such URLs anyway, and the instance key is what authenticates.
    throw new InvalidSettingError(
      'gatewayUrl',
      `Refusing gateway URL ${shown}: credentials belong in the instance key`,
    )
  }
  if (base.search !== '' || base.hash !== '') {
    throw new InvalidSettingError(
      'gatewayUrl',
      `Refusing gateway URL ${shown}: a base URL takes no query or fragment`,
    )
  }
  const path = base.pathname.replace(/\/+$/, '')
  return new URL(`${path}${endpoint}`, base)
}

/**
 * The URL as an error may show it: a refused URL is echoed to logs and terminals, so its user
 * name, password, query and fragment (where tokens hide) are replaced by `…`, whether or not it
 * parses.
 */
export function shownUrl(text: string): string {
  let url: URL | undefined
  try {
    url = new URL(text)
  } catch {
    // Not parsed: cut what looks like credentials, a query or a fragment by hand.
    return JSON.stringify(text.replace(/^([^/?#@]*\/\/)?[^/?#]*@/, '$1…@').replace(/[?#].*$/, '…'))
  }
  const credentials = url.username !== '' || url.password !== ''
  const rest = url.search !== '' || url.hash !== ''
  url.username = ''
  url.password = ''
  url.search = ''
  url.hash = ''
  const href = credentials ? url.href.replace('//', '//…@') : url.href
  return JSON.stringify(href + (rest ? '…' : ''))
}

/**
 * Loopback by the URL parser's normalised host: WHATWG URL already turns `127.1` and
 * `0x7f.0.0.1` into `127.0.0.1`, and IPv6 hosts keep their brackets.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === 'localhost') return true
  if (host === '[::1]') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
