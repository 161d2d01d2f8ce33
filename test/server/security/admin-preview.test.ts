// 50 waiting events of 1,500 privateMetadata keys each made the admin page 13 MB, blocked the
// server for 4 s and cost 170 MB a view. The preview is paged and each event's share of a page
// is bounded, against a real `tally serve`.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TelemetryEvent } from '../../../src/protocol/event.js'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { startServe } from '../../support/tally-serve.js'

const token = 'admin-preview-token-0123456789'
const adminToken = 'admin-preview-admin-token-0123456789'
let child: ChildProcess
let url: string
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tally-admin-preview-'))
  const started = startServe({
    dataDir,
    token: `test=${token}`,
    from: 'source',
    exportMode: 'redact',
    args: [
      // Nothing listens there: every event stays in the backlog the preview shows.
      '--gateway-url',
      'http://127.0.0.1:9',
      '--instance-key',
      'preview=preview-instance-key-0123456789',
      '--admin-token',
      adminToken,
    ],
  })
  child = started.child
  url = await started.url
}, 60_000)

afterAll(() => {
  child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

// Short keys and numbers: 1,500 of them fit the 16 KiB bound on privateMetadata.
const privateMetadata = Object.fromEntries(
  Array.from({ length: 1500 }, (_, n) => [`k${n.toString(36)}`, n]),
)

function event(n: number): TelemetryEvent {
  return {
    id: `preview-${String(n).padStart(16, '0')}`,
    timestamp: new Date(),
    feature: 'search',
    action: 'submitted',
    source: { client: 'test' },
    sessionId: 'preview-session-0000001',
    parameters: { version: 1, privateMetadata },
  }
}

describe('the admin page over a backlog of very wide events', () => {
  it('pages the preview and bounds each event, on the page and in the API', async () => {
    for (let batch = 0; batch < 5; batch++) {
      const response = await fetch(`${url}/.api/telemetry/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: encodeBatch({
          events: Array.from({ length: 10 }, (_, n) => event(batch * 10 + n)),
          sentAt: new Date(),
        }),
      })
      expect(((await response.json()) as { accepted: string[] }).accepted).toHaveLength(10)
    }
    const headers = { authorization: `Bearer ${adminToken}` }

    const page = await (await fetch(`${url}/admin`, { headers })).text()
    expect(page.length).toBeLessThan(1_000_000)
    expect(page).toContain('Events 1–25 of the 50 waiting')
    expect(page).toContain('1,480 more paths (the API lists them)')
    const second = await (await fetch(`${url}/admin?page=2`, { headers })).text()
    expect(second).toContain('Events 26–50 of the 50 waiting')
    expect(second).not.toContain('rel="next"')

    const api = await fetch(`${url}/admin/api/preview?limit=100&page=1`, { headers })
    expect(((await api.json()) as { items: unknown[] }).items).toHaveLength(50)
    expect((await fetch(`${url}/admin/api/preview?limit=5000`, { headers })).status).toBe(400)
  }, 60_000)
})
