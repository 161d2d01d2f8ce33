import {
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fileLease } from '../../src/client/stores/file-lease.js'
import { fnv1a } from '../../src/client/stores/file-records.js'
import { openFileStore } from '../../src/client/stores/file-store.js'

const directories: string[] = []

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function leasePath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-lease-'))
  directories.push(directory)
  return join(directory, 'send.lease')
}

const now = 1_800_000_000_000

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
})
