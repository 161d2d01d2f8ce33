import type { MiddlewareHandler } from 'hono'
import { errorBody } from '../protocol/answers.js'

/** `localhost`, `*.localhost`, `127.0.0.0/8`, `::1` (also IPv4-mapped), with or without brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(name) ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(name) ||
    /^(?:0{0,4}:){2,7}0{0,3}1$/.test(name)
  )
}

/** The name in a `Host` header, without its port: `[::1]:8080` → `[::1]`, `Example.com.` → `example.com`. */
export function hostName(header: string): string {
  const lower = header.trim().toLowerCase()
  const name = lower.startsWith('[')
    ? lower.slice(0, lower.indexOf(']') + 1)
    : lower.replace(/:\d*$/, '')
  return name.replace(/\.$/, '')
}

export interface HostCheckOptions {
  /**
   * Host names answered besides the loopback ones: exact names, or `.example.com` for that name
   * and every name under it (as Vite's `server.allowedHosts`).
   */
  allowedHosts?: readonly string[]
}

/**
 * For a server bound to a loopback address: answers only requests whose `Host` names loopback
 * or an allowed host, with a 403 JSON error `forbidden-host` otherwise. A page elsewhere can
 * point its own name at 127.0.0.1 (DNS rebinding) and then read the answers as same-origin;
 * its requests still carry its own name in `Host`, which is how they are told apart.
 */
export function hostCheck(options: HostCheckOptions = {}): MiddlewareHandler {
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const entry of options.allowedHosts ?? []) {
    const name = hostName(entry)
    if (name.startsWith('.')) {
      suffixes.push(name)
      exact.add(name.slice(1))
    } else exact.add(name)
  }
  const allowed = (name: string) =>
    isLoopbackHost(name) || exact.has(name) || suffixes.some(suffix => name.endsWith(suffix))
  return async (c, next) => {
    const header = c.req.header('host') ?? new URL(c.req.url).host
    if (allowed(hostName(header))) return next()
    return c.json(
      errorBody(
        'forbidden-host',
        'this server answers only its own host names; see --allowed-host',
      ),
      403,
    )
  }
}
