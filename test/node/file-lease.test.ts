import {
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTelemetry } from '../../src/client/node-telemetry.js'
import { fileLease, newLeaseOwner } from '../../src/client/stores/file-lease.js'
import { fnv1a } from '../../src/client/stores/file-records.js'
import { openFileStore } from '../../src/client/stores/file-store.js'
import { thisHost } from '../../src/client/stores/local-process.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'

const directories: string[] = []
const children: ChildProcess[] = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  // A shutdown past its deadline may leave the lease's last claim touching the directory.
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
})

function leasePath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-lease-'))
  directories.push(directory)
  return join(directory, 'send.lease')
}

const now = 1_800_000_000_000

/** The pid of a process of this host that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid
}

/** The pid of a process of this host that runs until the test ends. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
  children.push(child)
  if (child.pid === undefined) throw new Error('could not start node')
  return child.pid
}

describe('the send lease of a store directory', () => {
  it('has one holder among many claiming at once', async () => {
    const path = leasePath()
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, index) => fileLease(path).claim(`p${index}`, 10_000, now)),
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
  })

  it('is renewed by its holder and refused to others until it expires', async () => {
    const path = leasePath()
    const a = fileLease(path)
    const b = fileLease(path)
    expect(await a.claim('a', 1_000, now)).toBe(true)
    expect(await b.claim('b', 1_000, now + 500)).toBe(false)
    expect(await a.claim('a', 1_000, now + 900)).toBe(true)
    expect(await b.claim('b', 1_000, now + 1_500)).toBe(false)
    expect(await b.claim('b', 1_000, now + 1_900)).toBe(true)
    expect(await a.claim('a', 1_000, now + 1_950)).toBe(false)
  })

  it('is taken over by one of many once it expired, leaving no markers behind', async () => {
    const path = leasePath()
    expect(await fileLease(path).claim('dead', 1_000, now)).toBe(true)
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        fileLease(path).claim(`p${index}`, 1_000, now + 5_000),
      ),
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(readdirSync(join(path, '..'))).toEqual(['send.lease'])
  })

  it('is not blocked for good by a taker that died halfway through a takeover', async () => {
    const path = leasePath()
    expect(await fileLease(path).claim('dead', 1_000, now)).toBe(true)
    // The taker linked the expired lease to its marker, then died.
    const held = readFileSync(path, 'utf8')
    linkSync(path, `${path}.${fnv1a(held).toString(16)}`)
    const next = fileLease(path)
    expect(await next.claim('next', 1_000, now + 1_500)).toBe(false)
    // Once the lease is expired for a whole lease more, the marker is cleared and it is taken.
    expect(await next.claim('next', 1_000, now + 2_500)).toBe(false)
    expect(await next.claim('next', 1_000, now + 2_600)).toBe(true)
    expect(readdirSync(join(path, '..'))).toEqual(['send.lease'])
  })

  it('is given up by its holder only', async () => {
    const path = leasePath()
    const a = fileLease(path)
    const b = fileLease(path)
    expect(await a.claim('a', 60_000, Date.now())).toBe(true)
    await b.release('b')
    expect(await b.claim('b', 60_000, Date.now())).toBe(false)
    await a.release('a')
    expect(await b.claim('b', 60_000, Date.now())).toBe(true)
  })

  it('treats an unreadable lease file as held until it is a lease old', async () => {
    const path = leasePath()
    writeFileSync(path, '')
    expect(await fileLease(path).claim('a', 60_000, Date.now())).toBe(false)
    const old = (Date.now() - 120_000) / 1000
    utimesSync(path, old, old)
    expect(await fileLease(path).claim('a', 60_000, Date.now())).toBe(true)
  })

  it('is what the file store claims and releases', async () => {
    const path = leasePath()
    const directory = join(path, '..')
    const one = await openFileStore({ directory, bounds: { maxEvents: 10, maxBytes: 10_000 } })
    const two = await openFileStore({ directory, bounds: { maxEvents: 10, maxBytes: 10_000 } })
    expect(await one.claim('one', 60_000, Date.now())).toBe(true)
    expect(await two.claim('two', 60_000, Date.now())).toBe(false)
    await one.release('one')
    expect(await two.claim('two', 60_000, Date.now())).toBe(true)
    await one.close()
    await two.close()
  })

  it('is taken at once from a process of this host that no longer runs', async () => {
    const path = leasePath()
    expect(await fileLease(path).claim(`${thisHost}.${deadPid()}.gone`, 60_000, now)).toBe(true)
    expect(await fileLease(path).claim('next', 60_000, now + 1)).toBe(true)
    expect(readFileSync(path, 'utf8')).toMatch(/^next /)
    expect(readdirSync(join(path, '..'))).toEqual(['send.lease'])
  })

  it('is refused while its holder on this host runs, until it expires', async () => {
    const path = leasePath()
    expect(await fileLease(path).claim(`${thisHost}.${livePid()}.alive`, 60_000, now)).toBe(true)
    expect(await fileLease(path).claim('next', 60_000, now + 1)).toBe(false)
    expect(await fileLease(path).claim('next', 60_000, now + 60_000)).toBe(true)
  })

  it('is judged by its expiry alone when held from another host, whose pids say nothing', async () => {
    const path = leasePath()
    const elsewhere = `${thisHost}-elsewhere.${deadPid()}.remote`
    expect(await fileLease(path).claim(elsewhere, 60_000, now)).toBe(true)
    expect(await fileLease(path).claim('next', 60_000, now + 59_999)).toBe(false)
    expect(await fileLease(path).claim('next', 60_000, now + 60_000)).toBe(true)
  })

  it('has one taker among many when its holder is gone', async () => {
    const path = leasePath()
    expect(await fileLease(path).claim(`${thisHost}.${deadPid()}.gone`, 60_000, now)).toBe(true)
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, index) => fileLease(path).claim(`p${index}`, 60_000, now)),
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
    expect(readdirSync(join(path, '..'))).toEqual(['send.lease'])
  })
})

describe('shutdown of a Node client while another process holds the send lease', () => {
  /** A client on a fresh directory whose lease another sender of this host holds. */
  async function heldElsewhere() {
    const directory = join(leasePath(), '..')
    const sender = await openFileStore({ directory, bounds: { maxEvents: 10, maxBytes: 10_000 } })
    const owner = newLeaseOwner()
    expect(await sender.claim(owner, 60_000, Date.now())).toBe(true)
    const transport = createTestTransport()
    const telemetry = createTelemetry({
      client: { name: 'editor', version: '1.0.0' },
      directory,
      transport,
      flushIntervalMs: 60_000,
      syncWrites: false,
    })
    const release = async () => {
      await sender.release(owner)
      await sender.close()
    }
    return { directory, transport, telemetry, release }
  }

  it('sends its queue once the lease frees before the deadline', async () => {
    const { transport, telemetry, release } = await heldElsewhere()
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    const started = Date.now()
    const done = telemetry.shutdown({ timeoutMs: 5_000 })
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(transport.events).toHaveLength(0)
    await release()
    await done
    expect(transport.events).toHaveLength(3)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('waits until its deadline for a lease that stays held, and leaves the queue on disk', async () => {
    const { directory, transport, telemetry, release } = await heldElsewhere()
    for (let i = 0; i < 3; i++) telemetry.recordEvent('search', 'submitted')
    const started = Date.now()
    await telemetry.shutdown({ timeoutMs: 800 })
    // Timers may fire a millisecond early as Date.now() sees them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(790)
    expect(transport.events).toHaveLength(0)
    await release()
    const store = await openFileStore({ directory, bounds: { maxEvents: 10, maxBytes: 10_000 } })
    expect(await store.count()).toBe(3)
    await store.close()
  })

  it('does not wait when nothing is queued', async () => {
    const { telemetry, release } = await heldElsewhere()
    const started = Date.now()
    await telemetry.shutdown({ timeoutMs: 5_000 })
    expect(Date.now() - started).toBeLessThan(1_000)
    await release()
  })
})
