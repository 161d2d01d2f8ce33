// Editor windows (Node processes) sharing one store directory against the real `tally serve`:
// three record at once while the one sending is killed with SIGKILL mid-send and restarted;
// and a window opened right after the sender was killed sends what it left at once.
// Runs against the built package (`npm run test:node-e2e`, after `npm run build`).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe as startServeProcess } from '../../support/tally-serve.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const recorder = fixture('recorder.mjs')
const token = 'multi-process-token-0123456789'
const children: ChildProcess[] = []
let workDir = ''

beforeAll(() => {
  for (const file of ['dist/node.js', 'dist/cli.js']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build`)
  }
  workDir = mkdtempSync(join(tmpdir(), 'tally-multi-process-'))
})

afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(workDir, { recursive: true, force: true })
})

async function startServe(dataDir: string): Promise<string> {
  const { child, url } = startServeProcess({ dataDir, token: `editor=${token}`, from: 'built' })
  children.push(child)
  return url
}

interface Window {
  child: ChildProcess
  exited: Promise<number | null>
}

function startWindow(args: {
  directory: string
  url: string
  log: string
  rounds: number
  perRound: number
}): Window {
  const child = spawn(
    process.execPath,
    [
      recorder,
      args.directory,
      args.url,
      token,
      args.log,
      String(args.rounds),
      String(args.perRound),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  children.push(child)
  return { child, exited: new Promise(resolve => child.once('exit', code => resolve(code))) }
}

/** The pid in the lease file (`<host>.<pid>.<id> <expires>`), if a process holds the lease. */
function leaseHolder(directory: string): number | undefined {
  try {
    const text = readFileSync(join(directory, 'send.lease'), 'utf8')
    return Number(/^[A-Za-z0-9-]+\.(\d+)\./.exec(text)?.[1])
  } catch {
    return undefined
  }
}

const lines = (path: string) =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []

async function ingestDuplicates(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^tally_ingest_events_total\{outcome="duplicate"\} (\d+)$/m.exec(text)?.[1] ?? 0)
}

describe('three editor windows sharing one store directory', { timeout: 300_000 }, () => {
  it('store every recorded event exactly once, though the sender is killed mid-send', async () => {
    const dataDir = join(workDir, 'instance')
    const directory = join(workDir, 'queue')
    const url = await startServe(dataDir)
    const logs = [0, 1, 2].map(index => join(workDir, `recorded-${index}.log`))
    const windows = logs.map(log => startWindow({ directory, url, log, rounds: 40, perRound: 25 }))
    const pending = new Set(windows.map(window => window.exited))

    // Kill whichever window holds the lease while it sends, then start it again; up to three
    // times, until one kill lands while the lease is held (a send under way).
    let kills = 0
    let killsMidSend = 0
    while (kills < 3 && killsMidSend === 0) {
      const holder = leaseHolder(directory)
      const index = windows.findIndex(window => window.child.pid === holder)
      const recorded = logs.reduce((sum, log) => sum + lines(log).length, 0)
      const window = windows[index]
      if (!window || recorded < 200) {
        if (windows.every(w => w.child.exitCode !== null)) break
        await new Promise(resolve => setTimeout(resolve, 10))
        continue
      }
      // Stopped first, so that what the lease file says is still true at the kill: once the
      // window is gone, the others take its lease at once.
      window.child.kill('SIGSTOP')
      if (leaseHolder(directory) === window.child.pid) killsMidSend++
      window.child.kill('SIGKILL')
      await window.exited
      pending.delete(window.exited)
      kills++
      const restarted = startWindow({
        directory,
        url,
        log: logs[index] as string,
        rounds: 10,
        perRound: 25,
      })
      windows[index] = restarted
      pending.add(restarted.exited)
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    const codes = await Promise.all(pending)
    expect(codes.every(code => code === 0)).toBe(true)

    // What the last window to send left behind goes out with the next start of the extension.
    const drain = startWindow({
      directory,
      url,
      log: join(workDir, 'drain.log'),
      rounds: 0,
      perRound: 0,
    })
    expect(await drain.exited).toBe(0)

    const db = new Database(join(dataDir, 'tally.db'), { readonly: true })
    const rows = db.prepare('SELECT id FROM events').all() as { id: string }[]
    db.close()
    const stored = new Map<string, number>()
    for (const { id } of rows) stored.set(id, (stored.get(id) ?? 0) + 1)
    const recorded = logs.flatMap(lines)
    const missing = recorded.filter(id => !stored.has(id))
    const duplicatesStored = [...stored.values()].filter(count => count > 1).length
    const duplicatesSent = await ingestDuplicates(url)
    process.stdout.write(
      `multi-process: ${recorded.length} recorded, ${rows.length} stored, ` +
        `${missing.length} missing, ${duplicatesSent} duplicates sent, ` +
        `${duplicatesStored} duplicates stored, ${kills} kills (${killsMidSend} mid-send)\n`,
    )
    expect(killsMidSend).toBe(1)
    expect(missing).toEqual([])
    expect(duplicatesStored).toBe(0)
    // Only a batch whose acknowledgement died with its sender goes out twice (25 events each).
    expect(duplicatesSent).toBeLessThanOrEqual(25 * kills)
    // Events of the round under way at the kill may have reached the disk unlogged; no others.
    expect(rows.length - recorded.length).toBeLessThanOrEqual(25 * kills)
  })
})

describe('a window opened right after the sender was killed', { timeout: 60_000 }, () => {
  it('sends what the killed sender left on disk within 2 s of its start', async () => {
    const dataDir = join(workDir, 'instance-after-kill')
    const directory = join(workDir, 'queue-after-kill')
    const url = await startServe(dataDir)

    // The first window's backend never answers: it holds the lease, mid-send, with its events
    // on disk, when it says so; then it is killed there.
    const holder = spawn(process.execPath, [fixture('lease-holder.mjs'), directory, '200'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    children.push(holder)
    const [line] = (await once(createInterface({ input: holder.stdout }), 'line')) as [string]
    const { pid, ids } = JSON.parse(line) as { pid: number; ids: string[] }
    expect(ids).toHaveLength(200)
    expect(leaseHolder(directory)).toBe(pid)
    holder.kill('SIGKILL')
    await once(holder, 'exit')
    // Its lease (15 s by default) has not run out: only its death frees it.
    expect(leaseHolder(directory)).toBe(pid)

    const started = Date.now()
    const window = spawn(
      process.execPath,
      [fixture('short-window.mjs'), directory, url, token, '10000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    children.push(window)
    const exited = once(window, 'exit') as Promise<[number | null]>

    const db = new Database(join(dataDir, 'tally.db'), { readonly: true })
    const storedOf = db.prepare(
      `SELECT count(*) AS n FROM events WHERE id IN (${ids.map(() => '?').join(',')})`,
    )
    let deliveredMs: number | undefined
    while (deliveredMs === undefined && Date.now() - started < 15_000) {
      if ((storedOf.get(...ids) as { n: number }).n === ids.length) {
        deliveredMs = Date.now() - started
      } else {
        await sleep(20)
      }
    }
    db.close()
    const [code] = await exited
    process.stdout.write(`killed sender: ${ids.length} events delivered in ${deliveredMs} ms\n`)
    expect(code).toBe(0)
    expect(deliveredMs).toBeDefined()
    expect(deliveredMs).toBeLessThanOrEqual(2_000)
  })
})
