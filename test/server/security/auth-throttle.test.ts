import { describe, expect, it } from 'vitest'
import { createAuthThrottle } from '../../../src/server/auth-throttle.js'
import { addressKey } from '../../../src/server/client-address.js'

function clock() {
  let at = 1_000_000
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms
    },
  }
}

describe('the authentication throttle', () => {
  it('lets a few failures through, then doubles the wait up to its cap', () => {
    const time = clock()
    const throttle = createAuthThrottle({ now: time.now, maxDelayMs: 10_000 })
    const waits = []
    for (let failure = 0; failure < 10; failure++) {
      throttle.fail('10.0.0.1', 'event-token')
      waits.push(throttle.waitMs('10.0.0.1', 'event-token'))
      time.advance(waits.at(-1) ?? 0)
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 10_000])
  })

  it('keeps addresses and credential kinds apart', () => {
    const throttle = createAuthThrottle({ now: clock().now, maxFreeFailures: 0 })
    throttle.fail('10.0.0.1', 'admin-token')
    expect(throttle.waitMs('10.0.0.1', 'admin-token')).toBe(1000)
    expect(throttle.waitMs('10.0.0.2', 'admin-token')).toBe(0)
    expect(throttle.waitMs('10.0.0.1', 'event-token')).toBe(0)
    expect(throttle.waitMs('10.0.0.1', 'instance-key')).toBe(0)
  })

  it('forgets an address after a quiet spell, and not before its wait is over', () => {
    const time = clock()
    const throttle = createAuthThrottle({
      now: time.now,
      maxFreeFailures: 0,
      baseDelayMs: 60_000,
      forgetAfterMs: 30_000,
    })
    throttle.fail('10.0.0.1', 'admin-token')
    time.advance(30_000)
    expect(throttle.waitMs('10.0.0.1', 'admin-token')).toBe(30_000)
    time.advance(30_000)
    throttle.fail('10.0.0.1', 'admin-token')
    // Forgotten: the count starts again, so this failure waits the first wait again.
    expect(throttle.waitMs('10.0.0.1', 'admin-token')).toBe(60_000)
  })

  it('holds a bounded number of addresses, forgetting the least recently failing', () => {
    const throttle = createAuthThrottle({ now: clock().now, maxFreeFailures: 0, maxEntries: 3 })
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      throttle.fail(address, 'event-token')
    throttle.fail('10.0.0.1', 'event-token')
    throttle.fail('10.0.0.4', 'event-token')
    expect(throttle.waitMs('10.0.0.2', 'event-token')).toBe(0)
    for (const address of ['10.0.0.1', '10.0.0.3', '10.0.0.4']) {
      expect(throttle.waitMs(address, 'event-token'), address).toBeGreaterThan(0)
    }
  })
})

describe('client addresses as the throttle counts them', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::9', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key)
  })
})
