import { describe, expect, it } from 'vitest'
import { cacheInstanceStores } from '../../../src/server/gateway/instance-stores.js'
import type { ServerEventStore } from '../../../src/server/stores/server-event-store.js'
import { createMemoryServerEventStore } from '../memory-server-event-store.js'

/** Opens memory stores, recording every open and close by instance. */
function recorder() {
  const log: string[] = []
  const open = async (instance: string): Promise<ServerEventStore> => {
    log.push(`open ${instance}`)
    const store = createMemoryServerEventStore()
    return {
      ...store,
      close: async () => {
        log.push(`close ${instance}`)
        await store.close()
      },
    }
  }
  return { log, open }
}

describe('cacheInstanceStores', () => {
  it('opens each instance once, and closes the least recently used past the bound', async () => {
    const { log, open } = recorder()
    const stores = cacheInstanceStores({ open, maxOpen: 2 })
    const touch = (instance: string) => stores.use(instance, async () => undefined)
    await touch('a')
    await touch('b')
    await touch('a')
    await touch('c')
    await touch('a')
    await stores.close()
    expect(log).toEqual(['open a', 'open b', 'open c', 'close b', 'close c', 'close a'])
  })

  it('never closes a store while a use of it runs, and shares one opening', async () => {
    const { log, open } = recorder()
    const stores = cacheInstanceStores({ open, maxOpen: 1 })
    let release: () => void = () => undefined
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    const long = stores.use('a', async store => {
      await held
      return store.stats()
    })
    const [first, second] = await Promise.all([
      stores.use('b', async store => store),
      stores.use('b', async store => store),
    ])
    expect(first).toBe(second)
    // Past the bound of one, b goes: a is in use.
    expect(log).toEqual(['open a', 'open b', 'close b'])
    release()
    expect(await long).toMatchObject({ total: 0 })
    await stores.use('c', async () => undefined)
    expect(log).toEqual(['open a', 'open b', 'close b', 'open c', 'close a'])
    await stores.close()
    await expect(stores.use('a', async () => 1)).rejects.toThrow(/closed/)
  })

  it('forgets a store that failed to open, so that the next use tries again', async () => {
    let attempts = 0
    const stores = cacheInstanceStores({
      open: async () => {
        attempts += 1
        if (attempts === 1) throw new Error('database down')
        return createMemoryServerEventStore()
      },
      maxOpen: 4,
    })
    await expect(stores.use('a', async () => 1)).rejects.toThrow('database down')
    expect(await stores.use('a', async () => 2)).toBe(2)
    expect(attempts).toBe(2)
    await stores.close()
  })
})
