import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserPlatform } from '../../src/client/platform/browser.js'
import { readSpilled } from '../../src/client/spill-read.js'

const prefix = 'tally-telemetry:spill:'

/** localStorage as a page has it: its keys are the object's own enumerable properties. */
function fakeStorage(entries: Record<string, string>): Storage {
  const storage: Record<string, string> = { ...entries }
  Object.defineProperties(storage, {
    getItem: { value: (key: string) => storage[key] ?? null },
    setItem: { value: (key: string, value: string) => (storage[key] = value) },
    removeItem: { value: (key: string) => Reflect.deleteProperty(storage, key) },
  })
  return storage as unknown as Storage
}

const event = (id: string, timestamp: string) => ({
  id,
  timestamp,
  feature: 'search',
  action: 'submitted',
  source: { client: 'web' },
  sessionId: 's',
  parameters: { version: 0 },
})

describe("the browser's spill", () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  const page = (storage: Storage, owner: string) => {
    vi.stubGlobal('window', {})
    vi.stubGlobal('document', {})
    vi.stubGlobal('localStorage', storage)
    const spill = browserPlatform(owner, undefined).spill
    if (!spill) throw new Error('no spill')
    return spill
  }

  it("takes other pages' spills as stored, and leaves its own and other keys", () => {
    const storage = fakeStorage({
      [`${prefix}earlier`]: '[1]',
      [`${prefix}other-tab`]: '[2]',
      [`${prefix}me`]: '[3]',
      theme: 'dark',
    })
    const spill = page(storage, 'me')
    expect(spill.take().sort()).toEqual(['[1]', '[2]'])
    expect(Object.keys(storage).sort()).toEqual([`${prefix}me`, 'theme'])
    expect(spill.take()).toEqual([])
  })

  it('saves the newest events within its bound, under its own key, for the next load to read', () => {
    const storage = fakeStorage({})
    const spill = page(storage, 'me')
    const entries = ['a', 'b', 'c'].map(id => ({
      event: {
        ...event(id, '2026-12-07T10:00:00.000Z'),
        timestamp: new Date('2026-12-07T10:00:00Z'),
      },
      bytes: 300 * 1024,
    }))
    spill.save(entries)
    const saved = storage.getItem(`${prefix}me`)
    expect(saved).not.toBeNull()
    const read = readSpilled([saved as string])
    // 512 KiB at most: the newest two (the second one crosses the bound).
    expect(read.map(e => e.id)).toEqual(['b', 'c'])
    expect(read[0]?.timestamp).toEqual(new Date('2026-12-07T10:00:00Z'))
  })
})

describe('readSpilled', () => {
  it('reads every spill, oldest event first, with its dates', () => {
    const read = readSpilled([
      JSON.stringify([
        event('b', '2026-12-07T10:00:02.000Z'),
        event('d', '2026-12-07T10:00:04.000Z'),
      ]),
      JSON.stringify([
        event('a', '2026-12-07T10:00:01.000Z'),
        event('c', '2026-12-07T10:00:03.000Z'),
      ]),
    ])
    expect(read.map(e => e.id)).toEqual(['a', 'b', 'c', 'd'])
    expect(read[0]?.timestamp).toEqual(new Date('2026-12-07T10:00:01.000Z'))
  })

  it("reads an older version's superjson form ({ json })", () => {
    const read = readSpilled([
      JSON.stringify({ json: [event('a', '2026-12-07T10:00:01.000Z')], meta: { values: {} } }),
    ])
    expect(read.map(e => e.id)).toEqual(['a'])
  })

  it('skips a corrupt spill alone, and entries without a time', () => {
    const read = readSpilled([
      '[{"id":"x", "timestamp": "2026',
      'null',
      '{"json": 3}',
      JSON.stringify([null, 7, { id: 'no-time' }, { id: 'a number', timestamp: 5 }]),
      JSON.stringify([event('a', '2026-12-07T10:00:01.000Z')]),
    ])
    expect(read.map(e => e.id)).toEqual(['a'])
  })
})
