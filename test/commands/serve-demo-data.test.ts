// A newcomer's first `tally serve --demo`: the usage insights have something to show at once,
// marked as demo data, and a restart loads nothing more.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ActiveUsersAnswer } from '../../src/server/insights/answers.js'
import { startServe } from '../support/tally-serve.js'

const adminToken = 'demo-data-admin-token-0123456789'
const dataDir = mkdtempSync(join(tmpdir(), 'tally-serve-demo-data-'))
const children: ChildProcess[] = []

/** `tally serve --demo` on `dataDir`, its address, and everything it prints. */
async function serve() {
  const { child, url } = startServe({
    dataDir,
    token: 'ci=demo-data-token-0123456789',
    from: 'source',
    demo: true,
    args: ['--admin-token', adminToken],
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, url: await url, output: () => output }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

afterAll(async () => {
  await Promise.all(children.map(stop))
  rmSync(dataDir, { recursive: true, force: true })
})

const admin = { authorization: `Bearer ${adminToken}` }

async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('tally serve --demo on an empty store', { timeout: 90_000 }, () => {
  it('loads the demo data once, shows it in the insights and marks the admin page', async () => {
    const first = await serve()
    const loaded = await until(
      () =>
        /demo: loaded (\d+) demo events for 300 users \(tally-demo-data\)/.exec(first.output()) ??
        undefined,
    )
    expect(Number(loaded[1])).toBeGreaterThan(40_000)

    const answer = await fetch(`${first.url}/admin/api/insights/active-users`, { headers: admin })
    expect(answer.status).toBe(200)
    const active = (await answer.json()) as ActiveUsersAnswer
    expect(active.mau).toBeGreaterThan(100)
    const page = await (await fetch(`${first.url}/admin`, { headers: admin })).text()
    expect(page).toContain(
      'Demo data: generated activity of 300 users (client tally-demo-data). Not real usage.',
    )
    await stop(first.child)

    const second = await serve()
    const again = await (await fetch(`${second.url}/admin`, { headers: admin })).text()
    expect(again).toContain('Demo data: generated activity of 300 users')
    const restarted = await fetch(`${second.url}/admin/api/insights/active-users`, {
      headers: admin,
    })
    expect(((await restarted.json()) as ActiveUsersAnswer).mau).toBe(active.mau)
    expect(second.output()).not.toContain('demo: loaded')
  })
})
