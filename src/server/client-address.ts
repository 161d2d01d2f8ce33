import type { Context } from 'hono'

/** What a request that arrived over no socket (`app.request()`, another runtime) is counted as. */
export const unknownAddress = 'unknown'

/**
 * The address a request came from, as throttles count it: the socket's peer, never a header
 * such as `X-Forwarded-For`, which any client can write. An IPv4 address mapped into IPv6 is
 * the IPv4 address, and an IPv6 address counts as its /64, since one host is routinely given a
 * whole /64 and could otherwise rotate through it.
 */
export function clientAddress(c: Context): string {
  interface Incoming {
    socket?: { remoteAddress?: string }
  }
  // @hono/node-server's bindings (`{ incoming }`, or `{ server: { incoming } }` under some
  // adapters); any other runtime, or `app.request()`, has none.
  const env = c.env as { incoming?: Incoming; server?: { incoming?: Incoming } } | undefined
  const incoming = env?.server?.incoming ?? env?.incoming
  const address = incoming?.socket?.remoteAddress
  return address === undefined ? unknownAddress : addressKey(address)
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `2001:db8::1` → `2001:db8:0:0::/64`; IPv4 unchanged. */
export function addressKey(address: string): string {
  const lower = address.toLowerCase()
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)
  if (mapped?.[1]) return mapped[1]
  if (!lower.includes(':')) return lower
  // A zone (`fe80::1%eth0`) names an interface of this host, not another host.
  const [head = '', tail] = lower.replace(/%.*$/, '').split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [
    ...front,
    ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'),
    ...back,
  ]
  return `${groups
    .slice(0, 4)
    .map(group => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
