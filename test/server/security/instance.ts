import { request as httpRequest } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { encodeBatch } from '../../../src/protocol/wire.js'
import { startTallyServe, type TallyServeOptions } from '../../../src/commands/serve.js'
import { demoSessions } from '../../../src/server.js'
import { sampleEvent } from '../../support/events.js'

export const eventToken = 'event-token-0123456789abcdef'
export const adminToken = 'admin-token-0123456789abcdef'
const sessionSecret = 'session-secret-0123456789abcdef'

/** A demo session cookie for `user`, as the demo's sign-in sets it. */
export function demoCookie(user = 'alice'): string {
  const sessions = demoSessions(sessionSecret)
  return `${sessions.cookieName}=${sessions.create(user)}`
}

/** A body for `POST /.api/telemetry/events` holding one fresh event. */
export function oneEventBatch(): string {
  return encodeBatch({ events: [sampleEvent()], sentAt: new Date() })
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export interface SendOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** The local address to send from: any of 127.0.0.0/8 reaches a server on 127.0.0.1. */
  from?: string
}

/**
 * A real `tally serve --demo` (SQLite in a temporary folder, export off) on a free port of 127.0.0.1,
 * closed when the test ends. `send` speaks raw HTTP, so that a test can write `Host` and choose
 * the address it sends from, as an attacker can.
 */
export async function startInstance(overrides: Partial<TallyServeOptions> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tally-security-'))
  const server = await startTallyServe({
    demo: true,
    // Security tests need the demo's sign-in, not its generated history.
    demoData: false,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    exportMode: 'off',
    exportIntervalMs: 60_000,
    allowlist: [],
    tokens: [`ci=${eventToken}`],
    sessionSecret,
    adminToken,
    corsOrigins: [],
    localGateway: false,
    log: () => {},
    ...overrides,
  })
  onTestFinished(async () => {
    await server.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  const send = (path: string, options: SendOptions = {}) => sendRaw(server.url + path, options)
  return { url: server.url, send }
}

export function sendRaw(url: string, options: SendOptions = {}): Promise<Answer> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: hostname,
        port,
        path: pathname + search,
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from === undefined ? {} : { localAddress: options.from }),
        agent: false,
      },
      response => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text })
        })
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}
