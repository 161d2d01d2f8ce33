import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { GatewayStore } from '../../../src/server/gateway/gateway-store.js'
import { createMemoryGatewayStore } from '../../../src/server/gateway/memory-gateway-store.js'
import { openSqliteGatewayStore } from '../../../src/server/gateway/sqlite-gateway-store.js'

const directories: string[] = []
const open: GatewayStore[] = []

afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tally-gateway-'))
  directories.push(directory)
  return directory
}

const implementations: [string, () => GatewayStore][] = [
  ['memory', createMemoryGatewayStore],
  ['sqlite', () => openSqliteGatewayStore({ path: join(temporaryDirectory(), 'gateway.db') })],
]

const at = new Date('2024-05-01T12:00:00.000Z')
const event = (id: string) => ({ id, payload: JSON.stringify({ id }) })

describe.each(implementations)('%s gateway store', (_name, make) => {
  const store = () => {
    const made = make()
    open.push(made)
    return made
  }

  it('stores each (instance, id) once and counts only new rows', async () => {
    const s = store()
    expect(await s.insert('acme', [event('a'), event('b')], at)).toBe(2)
    expect(await s.insert('acme', [event('b'), event('c')], at)).toBe(1)
    expect(await s.insert('globex', [event('a')], at)).toBe(1)
    expect(await s.count('acme')).toBe(3)
    expect(await s.count('globex')).toBe(1)
    expect(await s.count('initech')).toBe(0)
  })

  it('keeps the first payload of an id', async () => {
    const s = store()
    await s.insert('acme', [{ id: 'a', payload: '"first"' }], at)
    await s.insert('acme', [{ id: 'a', payload: '"second"' }], at)
    expect((await s.list('acme', 10))[0]?.payload).toBe('"first"')
  })

  it('lists the newest rows in the order received, newest last', async () => {
    const s = store()
    for (const id of ['z', 'a', 'm', 'b']) await s.insert('acme', [event(id)], at)
    expect((await s.list('acme', 10)).map(r => r.id)).toEqual(['z', 'a', 'm', 'b'])
    expect((await s.list('acme', 2)).map(r => r.id)).toEqual(['m', 'b'])
    expect(await s.list('globex', 10)).toEqual([])
  })

  it('returns every field of a record', async () => {
    const s = store()
    await s.insert('acme', [event('a')], at)
    expect(await s.list('acme', 1)).toEqual([
      { instance: 'acme', id: 'a', payload: '{"id":"a"}', receivedAt: at },
    ])
  })

  it('inserts nothing for an empty batch', async () => {
    const s = store()
    expect(await s.insert('acme', [], at)).toBe(0)
  })
})

describe('sqlite gateway store', () => {
  it('keeps its rows across a reopen', async () => {
    const path = join(temporaryDirectory(), 'nested', 'gateway.db')
    const first = openSqliteGatewayStore({ path })
    await first.insert('acme', [event('a')], at)
    await first.close()
    const second = openSqliteGatewayStore({ path })
    open.push(second)
    expect(await second.count('acme')).toBe(1)
    expect(await second.insert('acme', [event('a')], at)).toBe(0)
  })

  it('closes twice without throwing', async () => {
    const s = openSqliteGatewayStore({ path: ':memory:' })
    await s.close()
    await expect(s.close()).resolves.toBeUndefined()
  })
})
