import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteStore } from '../../../src/server/stores/sqlite-store.js'
import { eventId } from './fixtures/sqlite-ack-writer.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const writer = fileURLToPath(new URL('./fixtures/sqlite-ack-writer.ts', import.meta.url))
const batchSize = 250

/** Runs the writer until it has acknowledged `acks` batches, SIGKILLs it, and lists every ACK read. */
function writeUntilKilled(path: string, acks: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path, String(batchSize)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const acknowledged: number[] = []
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  createInterface({ input: child.stdout }).on('line', line => {
    const ack = /^ACK (\d+)$/.exec(line)
    if (ack?.[1] === undefined) return
    acknowledged.push(Number(ack[1]))
    if (acknowledged.length === acks) child.kill('SIGKILL')
  })
  // 'close' comes after stdout has ended: ACKs written before the kill have all been read.
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged)
      else
        reject(new Error(`the writer exited with ${String(code)} before it was killed\n${stderr}`))
    })
  })
}

const batchIds = (batch: number) =>
  Array.from({ length: batchSize }, (_, index) => eventId(batch, index))

describe('SQLite store durability', () => {
  let directory: string | undefined
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true })
    directory = undefined
  })

  it.each([1, 5])(
    'keeps every acknowledged event when the writer is killed with SIGKILL after %i ACK(s)',
    async acks => {
      directory = await mkdtemp(join(tmpdir(), 'tally-durability-'))
      const path = join(directory, 'tally.db')
      const acknowledged = await writeUntilKilled(path, acks)
      expect(acknowledged.length).toBeGreaterThanOrEqual(acks)

      const store = openSqliteStore({ path })
      try {
        await store.migrate()
        for (const batch of acknowledged) {
          expect(await store.get(batchIds(batch)), `batch ${batch}`).toHaveLength(batchSize)
        }
        // The batch in flight at the kill is all there or not at all: one transaction.
        const last = acknowledged.at(-1) ?? -1
        const inFlight = (await store.get(batchIds(last + 1))).length
        expect([0, batchSize]).toContain(inFlight)
        expect((await store.stats()).total).toBe((last + 1) * batchSize + inFlight)
      } finally {
        await store.close()
      }
    },
    30_000,
  )
})
