import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { StoreBounds, StoredEvent } from '../../src/client/stores/event-store.js'
import { openFileStore, type FileStore } from '../../src/client/stores/file-store.js'
import { storedEvents } from './events.js'

const directories: string[] = []
const stores: FileStore[] = []

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-file-store-'))
  directories.push(directory)
  return directory
}

const roomy: StoreBounds = { maxEvents: 10_000, maxBytes: 8 * 1024 * 1024 }

async function open(directory: string, bounds = roomy, sync = false) {
  const skipped: number[] = []
  const store = await openFileStore({
    directory,
    bounds,
    sync,
    onSkipped: count => skipped.push(count),
  })
  stores.push(store)
  return Object.assign(store, { skippedReports: skipped })
}

const ids = (events: readonly StoredEvent[]) => events.map(entry => entry.event.id)
const at = (events: readonly StoredEvent[], ...indexes: number[]) =>
  indexes.map(index => events[index] as StoredEvent)

function segments(directory: string): string[] {
  return readdirSync(directory).filter(name => name.endsWith('.log'))
}

describe('the file store', () => {
  it('appends, peeks oldest first, removes and counts', async () => {
    const store = await open(tempDirectory())
    const events = storedEvents(5)
    expect(await store.append(events.slice(0, 3))).toEqual({ count: 3, dropped: 0 })
    expect(await store.append(events.slice(3))).toEqual({ count: 5, dropped: 0 })
    expect(ids(await store.peek(2, Infinity))).toEqual(ids(events.slice(0, 2)))
    expect(
      await store.remove([events[0]?.event.id ?? '', events[2]?.event.id ?? '', 'unknown']),
    ).toBe(3)
    expect(ids(await store.peek(10, Infinity))).toEqual(ids(at(events, 1, 3, 4)))
    expect(await store.count()).toBe(3)
    expect(await store.clear()).toBe(3)
    expect(await store.count()).toBe(0)
    expect(await store.peek(10, Infinity)).toEqual([])
  })

  it('gives events back as they were appended, dates included', async () => {
    const store = await open(tempDirectory())
    const events = storedEvents(2, { privateMetadata: { query: 'a "quoted"\nline ‹x›' } })
    await store.append(events)
    expect(await store.peek(10, Infinity)).toEqual(events)
  })

  it('peeks within the byte bound, but always one event', async () => {
    const store = await open(tempDirectory())
    const events = storedEvents(4)
    await store.append(events)
    const bytes = events[0]?.bytes ?? 0
    expect(await store.peek(10, bytes * 2)).toHaveLength(2)
    expect(await store.peek(10, 1)).toHaveLength(1)
  })

  it('drops the oldest events past the count bound and says how many', async () => {
    const store = await open(tempDirectory(), { maxEvents: 3, maxBytes: roomy.maxBytes })
    const events = storedEvents(5)
    await store.append(events.slice(0, 2))
    expect(await store.append(events.slice(2))).toEqual({ count: 3, dropped: 2 })
    expect(ids(await store.peek(10, Infinity))).toEqual(ids(events.slice(2)))
  })

  it('drops the oldest events past the byte bound', async () => {
    const events = storedEvents(4)
    const bytes = events[0]?.bytes ?? 0
    const store = await open(tempDirectory(), { maxEvents: 100, maxBytes: bytes * 2 + 1 })
    expect(await store.append(events)).toEqual({ count: 2, dropped: 2 })
    expect(ids(await store.peek(10, Infinity))).toEqual(ids(events.slice(2)))
  })

  it('keeps events across close and reopen, removals included', async () => {
    const directory = tempDirectory()
    const first = await open(directory, roomy, true)
    const events = storedEvents(4)
    await first.append(events)
    await first.remove([events[1]?.event.id ?? ''])
    await first.close()
    const second = await open(directory)
    expect(await second.count()).toBe(3)
    expect(ids(await second.peek(10, Infinity))).toEqual(ids(at(events, 0, 2, 3)))
    expect(second.skipped).toBe(0)
  })

  it('skips and counts a record torn by a crash, without throwing', async () => {
    const directory = tempDirectory()
    const first = await open(directory)
    const events = storedEvents(3)
    await first.append(events.slice(0, 2))
    await first.append(events.slice(2))
    await first.close()
    // The crash: the file ends halfway through the last append (the seal record went too).
    const [file] = segments(directory)
    const path = join(directory, file ?? '')
    const text = readFileSync(path, 'utf8')
    const lastAppend = text.lastIndexOf('\n', text.lastIndexOf('\n', text.length - 2) - 1) + 1
    await truncate(path, lastAppend + 40)
    const second = await open(directory)
    expect(ids(await second.peek(10, Infinity))).toEqual(ids(events.slice(0, 2)))
    expect(second.skipped).toBe(1)
    expect(second.skippedReports).toEqual([1])
    // Another file vanishing makes the reader start over: the torn record is not counted again.
    const third = await open(directory)
    await third.close()
    for (const name of segments(directory)) {
      if (name !== file) rmSync(join(directory, name))
    }
    expect(await second.count()).toBe(2)
    expect(second.skipped).toBe(1)
  })

  it('skips garbage and corrupt records and reads the rest', async () => {
    const directory = tempDirectory()
    const first = await open(directory)
    const events = storedEvents(3)
    await first.append(events.slice(0, 1))
    const [file] = segments(directory)
    const path = join(directory, file ?? '')
    const line = readFileSync(path, 'utf8')
    // A line of noise, a record whose hash no longer matches, and a valid hash over bad JSON.
    appendFileSync(path, 'not a record at all\n')
    appendFileSync(path, line.replace('search', 'seArch'))
    appendFileSync(path, '00000000 \n')
    await first.append(events.slice(1))
    const second = await open(directory)
    expect(ids(await second.peek(10, Infinity))).toEqual(ids(events))
    expect(second.skipped).toBe(3)
  })

  it('shows two instances on one directory each other’s events and removals', async () => {
    const directory = tempDirectory()
    const one = await open(directory)
    const two = await open(directory)
    const events = storedEvents(4)
    await one.append(events.slice(0, 2))
    await two.append(events.slice(2))
    // Appends in the same millisecond by two writers have no order of their own, but every
    // reader sees the same one.
    const seen = ids(await one.peek(10, Infinity))
    expect([...seen].sort()).toEqual(ids(events))
    expect(ids(await two.peek(10, Infinity))).toEqual(seen)
    expect(await one.remove(ids(events.slice(1, 3)))).toBe(2)
    expect(ids(await two.peek(10, Infinity)).sort()).toEqual(ids(at(events, 0, 3)))
    expect(await two.clear()).toBe(2)
    expect(await one.count()).toBe(0)
  })

  it('stores an id once when it is appended twice', async () => {
    const store = await open(tempDirectory())
    const events = storedEvents(2)
    await store.append(events)
    expect(await store.append(events.slice(1))).toEqual({ count: 2, dropped: 0 })
    expect(ids(await store.peek(10, Infinity))).toEqual(ids(events))
  })

  it('compacts sealed segments once their events are removed, as the lease holder', async () => {
    const directory = tempDirectory()
    const writer = await open(directory)
    const events = storedEvents(20)
    await writer.append(events)
    await writer.close()
    const sender = await open(directory)
    expect(await sender.claim('sender', 60_000, Date.now())).toBe(true)
    await sender.remove(ids(events.slice(0, 15)))
    // The writer's sealed segment is gone; what was left of it lives in a compacted file.
    expect(segments(directory).some(name => name.startsWith('cmp.'))).toBe(true)
    expect(ids(await sender.peek(100, Infinity))).toEqual(ids(events.slice(15)))
    await sender.remove(ids(events.slice(15)))
    await sender.close()
    const reader = await open(directory)
    expect(await reader.count()).toBe(0)
    const sizes = segments(directory).map(name => statSync(join(directory, name)).size)
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBeLessThan(2_000)
  })

  it('keeps a removal through compaction while a copy of its event lives in another file', async () => {
    const directory = tempDirectory()
    const [kept, twice] = storedEvents(2) as [StoredEvent, StoredEvent]
    const live = await open(directory)
    const sealed = await open(directory)
    await sealed.append([twice, kept])
    // An append retried after a failure that had written it after all: the id in two files.
    await live.append([twice])
    expect(await sealed.claim('sealed', 60_000, Date.now())).toBe(true)
    await sealed.remove([twice.event.id])
    await sealed.close()
    const compactor = await open(directory)
    expect(await compactor.claim('compactor', 60_000, Date.now() + 120_000)).toBe(true)
    await compactor.remove([kept.event.id])
    expect(segments(directory).some(name => name.startsWith('cmp.'))).toBe(true)
    const reader = await open(directory)
    expect(await reader.count()).toBe(0)
  })

  it('starts a new segment past maxSegmentBytes, and reads all of them', async () => {
    const directory = tempDirectory()
    const store = await openFileStore({
      directory,
      bounds: roomy,
      sync: false,
      maxSegmentBytes: 2_000,
    })
    stores.push(store)
    const events = storedEvents(30)
    for (const entry of events) await store.append([entry])
    expect(segments(directory).length).toBeGreaterThan(3)
    const other = await open(directory)
    expect(ids(await other.peek(100, Infinity))).toEqual(ids(events))
  })

  it('loses and repeats nothing while writers append, rotate and close under a sender', async () => {
    const directory = tempDirectory()
    const small = { directory, bounds: roomy, sync: false, maxSegmentBytes: 4_000 }
    const sender = await openFileStore(small)
    stores.push(sender)
    expect(await sender.claim('sender', 600_000, Date.now())).toBe(true)
    const appended: string[] = []
    const writers = [0, 1, 2].map(async writer => {
      const store = await openFileStore(small)
      for (let round = 0; round < 30; round++) {
        const events = storedEvents(1 + ((round * 7 + writer) % 5))
        await store.append(events)
        appended.push(...ids(events))
        await new Promise(resolve => setImmediate(resolve))
      }
      await store.close()
    })
    const sent: string[] = []
    const progress = { writing: true }
    const done = Promise.all(writers).then(() => (progress.writing = false))
    while (progress.writing || (await sender.count()) > 0) {
      const batch = ids(await sender.peek(7, Infinity))
      sent.push(...batch)
      await sender.remove(batch)
      if (batch.length === 0) await new Promise(resolve => setTimeout(resolve, 1))
    }
    await done
    expect(sent.length).toBe(appended.length)
    expect([...sent].sort()).toEqual([...appended].sort())
    // The sealed segments were compacted away on the way.
    expect(segments(directory).length).toBeLessThan(6)
  })

  it('keeps its own events through a rotation and a compaction it runs itself', async () => {
    const directory = tempDirectory()
    const options = { directory, bounds: roomy, sync: true, maxSegmentBytes: 1_500 }
    const store = await openFileStore(options)
    stores.push(store)
    expect(await store.claim('self', 600_000, Date.now())).toBe(true)
    const events = storedEvents(12)
    for (let start = 0; start < events.length; start += 3) {
      await store.append(events.slice(start, start + 3))
    }
    await store.remove(ids(events.slice(0, 7)))
    expect(segments(directory).some(name => name.startsWith('cmp.'))).toBe(true)
    await store.close()
    const reopened = await open(directory)
    expect(ids(await reopened.peek(100, Infinity))).toEqual(ids(events.slice(7)))
  })

  it('compacts a segment of another machine only after a day without writes', async () => {
    const directory = tempDirectory()
    const writer = await open(directory)
    const events = storedEvents(3)
    await writer.append(events)
    await writer.close()
    // The same records, as a writer on another host would leave them: not sealed, and its pid
    // means nothing here.
    const [own] = segments(directory) as [string]
    const records = readFileSync(join(directory, own), 'utf8').split('\n').slice(0, -2)
    const foreign = join(directory, 'seg.other-host.1.abcdefghijklmnopqrstu.000000.log')
    writeFileSync(foreign, records.map(line => `${line}\n`).join(''))
    rmSync(join(directory, own))

    const sender = await open(directory)
    expect(await sender.claim('sender', 600_000, Date.now())).toBe(true)
    await sender.remove(ids(events))
    expect(segments(directory)).toContain(basename(foreign))
    const dayAgo = (Date.now() - 25 * 60 * 60_000) / 1000
    utimesSync(foreign, dayAgo, dayAgo)
    await sender.remove([])
    expect(segments(directory)).not.toContain(basename(foreign))
    expect(await sender.count()).toBe(0)
  })

  it('refuses operations once closed, and closes twice without error', async () => {
    const store = await open(tempDirectory())
    await store.close()
    await store.close()
    await expect(store.count()).rejects.toThrow(/closed/)
  })
})
