import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as vscode from 'vscode'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createVSCodeTelemetry,
  type VSCodeApi,
  type VSCodeExtensionContext,
} from '../../src/client/vscode-telemetry.js'
import { openFileStore } from '../../src/client/stores/file-store.js'
import type { Telemetry } from '../../src/client/telemetry.js'
import { createTestTransport } from '../../src/client/transport/test-transport.js'

// The real module and context fit what the adapter asks for.
export type RealApiFits = typeof vscode extends VSCodeApi ? true : never
export type RealContextFits = vscode.ExtensionContext extends VSCodeExtensionContext ? true : never
const fits: [RealApiFits, RealContextFits] = [true, true]

const directories: string[] = []
const clients: Telemetry[] = []

afterEach(async () => {
  for (const telemetry of clients.splice(0)) await telemetry.shutdown({ timeoutMs: 0 })
  // A shutdown past its deadline does not wait for the send-lease file's last claim or
  // release, which may still touch the directory while it is removed: retry then, each pause
  // 100 ms longer than the last, since on a loaded machine such a write outlasted the
  // 750 ms that five retries from 50 ms gave.
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
  }
})

/** The few members of `vscode` the adapter uses, with the telemetry setting under test control. */
function fakeVSCode(telemetryEnabled: boolean) {
  const listeners = new Set<(enabled: boolean) => unknown>()
  const env = {
    isTelemetryEnabled: telemetryEnabled,
    onDidChangeTelemetryEnabled(listener: (enabled: boolean) => unknown) {
      listeners.add(listener)
      return { dispose: () => listeners.delete(listener) }
    },
  }
  return {
    api: { env } satisfies VSCodeApi,
    listeners,
    setTelemetry(enabled: boolean) {
      env.isTelemetryEnabled = enabled
      for (const listener of listeners) listener(enabled)
    },
  }
}

function fakeContext() {
  const directory = mkdtempSync(join(tmpdir(), 'tally-vscode-'))
  directories.push(directory)
  return {
    extension: { packageJSON: { name: 'code-intel', version: '2.3.4', publisher: 'acme' } },
    globalStorageUri: { fsPath: directory },
    subscriptions: [] as { dispose(): unknown }[],
  } satisfies VSCodeExtensionContext
}

function start(telemetryEnabled = true) {
  const editor = fakeVSCode(telemetryEnabled)
  const context = fakeContext()
  const transport = createTestTransport()
  const telemetry = createVSCodeTelemetry(editor.api, context, {
    transport,
    flushIntervalMs: 60_000,
  })
  clients.push(telemetry)
  return { editor, context, transport, telemetry }
}

async function queuedOnDisk(directory: string): Promise<number> {
  const store = await openFileStore({ directory, bounds: { maxEvents: 100, maxBytes: 1e6 } })
  const count = await store.count()
  await store.close()
  return count
}

describe('createVSCodeTelemetry', () => {
  it('names the client after the extension and queues in its global storage', async () => {
    expect(fits).toEqual([true, true])
    const { context, transport, telemetry } = start()
    transport.answerWith({ type: 'retryable', reason: 'down' })
    telemetry.recordEvent('codeintel', 'hovered')
    await telemetry.flush()
    expect(transport.events[0]?.source).toEqual({ client: 'code-intel', clientVersion: '2.3.4' })
    expect(telemetry.stats().storage).toBe('file')
    expect(await queuedOnDisk(context.globalStorageUri.fsPath)).toBe(1)
  })

  it('records nothing while the editor’s telemetry is off', async () => {
    const { transport, telemetry } = start(false)
    telemetry.recordEvent('codeintel', 'hovered')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
    expect(telemetry.stats().dropped.disabled).toBe(1)
  })

  it('empties what an earlier run left on disk when it starts with telemetry off', async () => {
    const first = start()
    first.transport.answerWith({ type: 'retryable', reason: 'down' })
    first.telemetry.recordEvent('codeintel', 'hovered')
    await first.telemetry.flush()
    await first.telemetry.shutdown({ timeoutMs: 0 })
    const directory = first.context.globalStorageUri.fsPath
    expect(await queuedOnDisk(directory)).toBe(1)

    const editor = fakeVSCode(false)
    const transport = createTestTransport()
    const telemetry = createVSCodeTelemetry(
      editor.api,
      { ...fakeContext(), globalStorageUri: { fsPath: directory } },
      { transport },
    )
    clients.push(telemetry)
    await expect.poll(() => telemetry.stats().dropped.disabled).toBe(1)
    expect(await queuedOnDisk(directory)).toBe(0)
    expect(transport.batches).toHaveLength(0)
  })

  it('empties the queue when the setting turns off, and resumes when it turns on', async () => {
    const { editor, context, transport, telemetry } = start()
    transport.answerWith({ type: 'retryable', reason: 'down' })
    telemetry.recordEvent('codeintel', 'hovered')
    telemetry.recordEvent('codeintel', 'hovered')
    await telemetry.flush()
    editor.setTelemetry(false)
    // The change is applied asynchronously: wait for the queue to be empty.
    await expect.poll(() => telemetry.stats().queued).toBe(0)
    expect(await queuedOnDisk(context.globalStorageUri.fsPath)).toBe(0)
    telemetry.recordEvent('codeintel', 'hovered')
    expect(telemetry.stats().dropped.disabled).toBe(3)

    editor.setTelemetry(true)
    transport.answerWith(batch => ({
      type: 'success',
      accepted: batch.events.map(event => event.id),
      rejected: [],
    }))
    await expect
      .poll(async () => {
        telemetry.recordEvent('search', 'submitted')
        await telemetry.flush()
        return telemetry.stats().sent
      })
      .toBeGreaterThan(0)
  })

  it('lets go of the setting and shuts down with the extension’s subscriptions', async () => {
    const { editor, context, transport, telemetry } = start()
    expect(editor.listeners.size).toBe(1)
    for (const subscription of context.subscriptions) subscription.dispose()
    expect(editor.listeners.size).toBe(0)
    await telemetry.shutdown()
    telemetry.recordEvent('codeintel', 'hovered')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
  })

  it('stays off when the extension turned it off, whatever the editor says', async () => {
    const editor = fakeVSCode(true)
    const transport = createTestTransport()
    const telemetry = createVSCodeTelemetry(editor.api, fakeContext(), {
      transport,
      enabled: false,
    })
    clients.push(telemetry)
    editor.setTelemetry(true)
    telemetry.recordEvent('codeintel', 'hovered')
    await telemetry.flush()
    expect(transport.batches).toHaveLength(0)
  })
})
