import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteGatewayStore } from '../../../src/server/gateway/sqlite-gateway-store.js'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { exportedEvent, samplePing } from '../../support/gateway-data.js'
import { ingested } from '../../support/server-events.js'

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8)
/** The database, its WAL and its shared memory: all three hold event data. */
const modes = (path: string) => Promise.all(['', '-wal', '-shm'].map(suffix => mode(path + suffix)))

// POSIX permissions: Windows has none to check.
describe.skipIf(process.platform === 'win32')('SQLite data files', () => {
  let directory: string | undefined
  const temporary = async () => (directory ??= await mkdtemp(join(tmpdir(), 'tally-modes-')))
  const closing: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(closing.splice(0).map(store => store.close()))
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
    directory = undefined
  })

  const openInstanceStore = async (path: string) => {
    const store = openSqliteStore({ path })
    closing.push(store)
    await store.migrate()
    await store.insert([ingested({ privateMetadata: { query: 'secret' } })])
    return store
  }

  it('are readable by their owner alone, in directories Tally creates 0700', async () => {
    const root = await temporary()
    const path = join(root, 'data', 'nested', 'tally.db')
    // Open while the files are checked: SQLite removes the WAL and shared memory on close.
    await openInstanceStore(path)
    expect(await modes(path)).toEqual(['600', '600', '600'])
    expect(await mode(join(root, 'data'))).toBe('700')
    expect(await mode(join(root, 'data', 'nested'))).toBe('700')
  })

  it('become private when an older Tally left them world-readable', async () => {
    const path = join(await temporary(), 'tally.db')
    const old = openSqliteStore({ path })
    await old.migrate()
    await old.insert([ingested()])
    // What a crash leaves: the WAL and shared memory of the last connection, still there.
    for (const suffix of ['', '-wal', '-shm']) await chmod(path + suffix, 0o644)
    await openInstanceStore(path)
    expect(await modes(path)).toEqual(['600', '600', '600'])
    await old.close()
  })

  it('leave the mode of a directory that was there alone', async () => {
    const existing = join(await temporary(), 'shared')
    await mkdir(existing)
    await chmod(existing, 0o755)
    await openInstanceStore(join(existing, 'tally.db'))
    expect(await mode(existing)).toBe('755')
    expect(await mode(join(existing, 'tally.db'))).toBe('600')
  })

  it('keep an existing database whole when making it private', async () => {
    const path = join(await temporary(), 'tally.db')
    const first = await openInstanceStore(path)
    await first.close()
    const [row] = await (await openInstanceStore(path)).peekExport(1)
    expect(row?.event.parameters.privateMetadata).toEqual({ query: 'secret' })
  })

  it('of the gateway are private too, its catalog and each instance database', async () => {
    const root = await temporary()
    const dataDir = join(root, 'gateway')
    const store = await openSqliteGatewayStore({ dataDir })
    closing.push(store)
    await store.insert('acme', [exportedEvent({ privateMetadata: { secret: true } })], new Date())
    await store.insertPing(samplePing('acme', '2026-11-26'), new Date())
    expect(await modes(join(dataDir, 'gateway.db'))).toEqual(['600', '600', '600'])
    const [instanceFile] = await readdir(join(dataDir, 'instances'))
    expect(instanceFile).toMatch(/^acme-[0-9a-f]{16}\.db$/)
    expect(await modes(join(dataDir, 'instances', instanceFile ?? ''))).toEqual([
      '600',
      '600',
      '600',
    ])
    expect(await mode(dataDir)).toBe('700')
    expect(await mode(join(dataDir, 'instances'))).toBe('700')
  })

  it('of a gateway database given as an existing empty file are made private', async () => {
    const dataDir = await temporary()
    const path = join(dataDir, 'gateway.db')
    await writeFile(path, '', { mode: 0o644 })
    const store = await openSqliteGatewayStore({ dataDir })
    closing.push(store)
    await store.insertPing(samplePing('acme', '2026-11-26'), new Date())
    expect(await modes(path)).toEqual(['600', '600', '600'])
  })
})
