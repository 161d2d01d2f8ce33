import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoDataNotice, loadDemoData } from '../../src/commands/demo-data.js'
import { demoLastEventId, generateDemoHistory } from '../../src/demo/demo-history.js'
import type { ServerEventStore } from '../../src/server.js'
import { openStore } from '../../src/server/commands/options.js'
import { activeUsers } from '../../src/server/insights/active-users.js'
import { atRisk } from '../../src/server/insights/at-risk.js'
import { lifecycle } from '../../src/server/insights/lifecycle.js'
import { powerUsers } from '../../src/server/insights/power-users.js'
import { sessions } from '../../src/server/insights/sessions.js'
import { sampleEvent } from '../support/events.js'

const dayMs = 86_400_000
const now = new Date('2026-03-18T15:30:00Z')
const today = Math.floor(now.getTime() / dayMs)
// A smaller history keeps the test quick; the server loads the full 300 users.
const options = { now: () => now, users: 60 }
const planted = generateDemoHistory({ now, users: 60 })

const directories: string[] = []
async function emptyStore(): Promise<ServerEventStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-demo-data-'))
  directories.push(dataDir)
  return openStore({ dataDir })
}
afterAll(async () => {
  await Promise.all(directories.map(dataDir => rm(dataDir, { recursive: true, force: true })))
})

describe('loadDemoData into an empty store', { timeout: 60_000 }, () => {
  let store: ServerEventStore
  beforeAll(async () => {
    store = await emptyStore()
    expect(await loadDemoData(store, options)).toEqual({
      status: 'loaded',
      stored: planted.length,
      users: 60,
    })
  })
  afterAll(async () => {
    await store.close()
  })

  it('stores every generated event, each already settled, so nothing waits for export', async () => {
    expect(await store.stats()).toEqual({
      total: planted.length,
      backlog: 0,
      oldestUnexportedAt: null,
    })
    expect(await store.peekExport(10)).toEqual([])
  })

  it('loads nothing a second time', async () => {
    expect(await loadDemoData(store, options)).toEqual({ status: 'present', users: 60 })
    expect((await store.stats()).total).toBe(planted.length)
  })

  it('gives every demo subject its own user', async () => {
    const [first, last] = await store.get([planted[0]?.event.id ?? '', demoLastEventId(1)])
    expect(first?.userId).toBe(await store.userId(planted[0]?.subject ?? ''))
    expect(last?.userId).toBe(await store.userId(planted.at(-1)?.subject ?? ''))
  })

  it('answers every insight with something to show', async () => {
    const insights = store.insights
    if (insights === undefined) throw new Error('SQLite keeps insights')
    const active = await activeUsers(insights, { at: today })
    expect(active.dau).toBeGreaterThan(0)
    expect(active.mau).toBeGreaterThan(active.wau)
    expect((await powerUsers(insights, { at: today, minDays: 10 })).powerUsers).toBeGreaterThan(0)
    expect((await atRisk(insights, { at: today })).users.length).toBeGreaterThan(0)
    const weeks = (await lifecycle(insights, { at: today, weeks: 12 })).weeks
    const total = (kind: 'new' | 'returning' | 'resurrecting' | 'dormant') =>
      weeks.reduce((sum, week) => sum + week[kind], 0)
    expect(weeks.at(-1)?.new).toBeGreaterThan(0)
    expect(total('returning')).toBeGreaterThan(0)
    expect(total('resurrecting')).toBeGreaterThan(0)
    expect(total('dormant')).toBeGreaterThan(0)
    const window = { from: today - 29, to: today }
    expect((await sessions(insights, window)).multiFeature).toBeGreaterThan(0)
  })
})

describe('loadDemoData into a store that is not empty', { timeout: 60_000 }, () => {
  it('loads nothing beside one real event', async () => {
    const store = await emptyStore()
    try {
      const userId = await store.userId('token:ci')
      const event = sampleEvent({ timestamp: now })
      await store.insert([{ event, userId, correctedTimestamp: now, receivedAt: now }])
      expect(await loadDemoData(store, options)).toEqual({ status: 'skipped' })
      expect((await store.stats()).total).toBe(1)
    } finally {
      await store.close()
    }
  })

  it('completes a load cut short, without duplicates', async () => {
    const store = await emptyStore()
    try {
      const stop = new AbortController()
      let batches = 0
      const cut = await loadDemoData(
        {
          ...store,
          insert: async events => {
            batches += 1
            if (batches === 2) stop.abort()
            return store.insert(events)
          },
        },
        { ...options, maxBatchEvents: 500, signal: stop.signal },
      )
      expect(cut).toEqual({ status: 'loaded', stored: 1000, users: 60 })
      expect((await store.stats()).total).toBe(1000)

      const rest = await loadDemoData(store, options)
      expect(rest).toEqual({ status: 'loaded', stored: planted.length - 1000, users: 60 })
      expect(await store.stats()).toEqual({
        total: planted.length,
        backlog: 0,
        oldestUnexportedAt: null,
      })
    } finally {
      await store.close()
    }
  })
})

describe('demoDataNotice', () => {
  it('says the usage is generated and names its client', () => {
    expect(demoDataNotice(300)).toBe(
      'Demo data: generated activity of 300 users (client tally-demo-data). Not real usage.',
    )
  })
})
