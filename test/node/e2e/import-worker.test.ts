// `tally import` as installed judges its lines (parse, validate, scrub) in a worker thread
// while it stores the chunk before (src/server/commands/import-judges.ts); run from the
// sources, as the unit tests run it, it judges them in turn on one thread. Both must store the
// same rows, refuse the same lines under the same numbers, and count the same duplicates,
// across chunks of 10,000 lines.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { dumpEvents } from '../../../src/server/commands/dump.js'
import { importEvents } from '../../../src/server/commands/import.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const tallyBin = join(root, 'bin', 'tally.js')
const workDir = mkdtempSync(join(tmpdir(), 'tally-import-worker-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

const dayMs = 86_400_000
const firstMs = Date.UTC(2026, 5, 1)
const secret = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'

/** 25,000 events over three chunks, with a refused line, a blank one and a repeated id. */
function lines(): string[] {
  const made: string[] = []
  for (let n = 1; n <= 25_000; n += 1) {
    const ms = firstMs + Math.floor((n * 40 * dayMs) / 25_000)
    made.push(
      JSON.stringify({
        id: `import-${String(n).padStart(6, '0')}`,
        timestamp: new Date(ms).toISOString(),
        receivedAt: new Date(ms + 1_000).toISOString(),
        feature: ['search', 'nav', 'chat'][n % 3],
        action: n % 2 === 0 ? 'run' : 'open',
        source: { client: 'web', clientVersion: '1.0.0' },
        sessionId: `session-${n % 700}`,
        parameters: {
          version: 1,
          metadata: { regex: n % 2, durationMs: (n % 7) * 50 },
          privateMetadata: { query: n % 1_000 === 0 ? `token ${secret}` : `query ${n}` },
        },
        userId: 1 + (n % 90),
      }),
    )
  }
  // Line 12,346 is not JSON, line 15,001 is blank, line 20,003 repeats line 3's event.
  made.splice(12_345, 0, '{"id": "cut-short"')
  made.splice(15_000, 0, '')
  made.splice(20_002, 0, made[2] as string)
  return made
}

describe('tally import with its worker thread', () => {
  it('stores what judging the lines on one thread stores, refusing the same lines', async () => {
    expect(existsSync(join(root, 'dist', 'import-worker.js'))).toBe(true)
    const file = join(workDir, 'events.jsonl')
    const input = lines()
    writeFileSync(file, input.join('\n') + '\n')

    const [threaded, single] = [join(workDir, 'threaded'), join(workDir, 'single')]
    const result = spawnSync(process.execPath, [tallyBin, 'import', file, '--data', threaded], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    })
    const expected = '25000 stored, 1 already present, 1 refused\n  line 12346: not JSON'
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe(expected)
    // Something was refused: the command says so in its status, as it always has.
    expect(result.status).toBe(1)

    const summary = await importEvents({ dataDir: single, worker: false }, input)
    expect(summary).toEqual({
      stored: 25_000,
      present: 1,
      refused: 1,
      reasons: ['line 12346: not JSON'],
    })

    const dump = async (dataDir: string) => {
      const chunks: string[] = []
      await dumpEvents({ dataDir }, chunk => void chunks.push(chunk))
      return chunks.join('')
    }
    const [fromThreads, fromOne] = [await dump(threaded), await dump(single)]
    expect(fromThreads.split('\n').filter(Boolean)).toHaveLength(25_000)
    expect(fromThreads).toBe(fromOne)
    expect(fromThreads).not.toContain(secret)
  }, 180_000)
})
