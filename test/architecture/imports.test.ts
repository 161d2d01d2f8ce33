// Fails on an import that runs against the allowed directions, listing each with its file.
import { describe, expect, it } from 'vitest'
import { describeViolation, findViolations } from './rules.js'
import { parseSource, readSourceFiles } from './source-files.js'

describe('the import directions of src/', () => {
  const files = readSourceFiles()
  const violations = findViolations(files)

  it('reads every file and its imports', () => {
    const cli = files.find(file => file.path === 'src/cli.ts')
    expect(files.length).toBeGreaterThan(50)
    expect(cli?.imports.map(found => found.target)).toContain('src/commands/serve.ts')
  })

  it('has no import or global against them', () => {
    expect(violations.map(describeViolation)).toEqual([])
  })
})

describe('the rules', () => {
  it.each([
    ['src/protocol/event.ts', "import { x } from '../client/telemetry.js'"],
    ['src/protocol/event.ts', "import type { x } from '../server/auth.js'"],
    ['src/protocol/wire.ts', "import { readFile } from 'node:fs/promises'"],
    ['src/client/queue.ts', "import { x } from '../server/auth.js'"],
    ['src/client/queue.ts', "import { x } from 'tally-telemetry/server'"],
    ['src/server/handler.ts', "import { x } from '../client/telemetry.js'"],
    ['src/server/commands/serve.ts', "import { x } from '../../demo/routes.js'"],
    ['src/server/handler.ts', "import { x } from '../commands/serve.js'"],
    ['src/server/handler.ts', "import { x } from '../cli.js'"],
    ['src/server/handler.ts', "export { x } from '../server.js'"],
    ['src/demo/routes.ts', "import { sessionCookie } from '../server/auth.js'"],
    ['src/demo/app/main.ts', "import { x } from '../../server.js'"],
    ['src/demo/app/main.ts', "import { x } from 'tally-telemetry/server'"],
    ['src/demo/app/main.ts', "import { x } from '../routes.js'"],
    ['src/demo/app/main.ts', "const fs = await import('node:fs')"],
    ['src/client/platform/browser.ts', "import { x } from '../telemetry.js'"],
    ['src/client/platform/node.ts', "import type { X } from '../recorder.js'"],
    ['src/client/telemetry.ts', "import * as vscode from 'vscode'"],
    ['src/client/telemetry.ts', 'export const visible = () => document.visibilityState'],
    ['src/client/sender/sender.ts', "window.addEventListener('pagehide', flush)"],
    ['src/client/sender/sender.ts', 'const online = globalThis.navigator.onLine'],
    ['src/server/handler.ts', 'type Doc = typeof document'],
    ['src/server/handler.ts', 'const port = process.env.PORT'],
    ['src/server/commands/serve.ts', 'const [, , command] = process.argv'],
  ])('refuse in %s: %s', (path, code) => {
    expect(findViolations([parseSource(path, code)])).toHaveLength(1)
  })

  it.each([
    ['src/protocol/event.ts', "import { x } from './validate.js'"],
    ['src/client/queue.ts', "import { x } from '../protocol/event.js'"],
    ['src/server/handler.ts', "import { x } from '../protocol/event.js'"],
    ['src/demo/routes.ts', "import type { DemoSessions } from '../server.js'"],
    ['src/demo/app/main.ts', "import { createTelemetry } from 'tally-telemetry'"],
    ['src/demo/app/main.ts', 'document.body.append(app)'],
    ['src/client/platform/node.ts', "import { newId } from '../ids.js'"],
    ['src/client/platform/browser.ts', "import type { X } from '../stores/event-store.js'"],
    ['src/client/platform/browser.ts', 'const hidden = document.hidden'],
    ['src/commands/serve.ts', "import { x } from '../demo/routes.js'"],
    ['src/cli.ts', 'const env = process.env'],
    ['src/client/queue.ts', '// window and document are named in a comment'],
    ['src/client/queue.ts', "const reason = 'another window is sending'"],
    ['src/client/queue.ts', 'const page = { document: 1, window: 2 }; page.document += 1'],
    ['src/client/queue.ts', 'interface Host { navigator: string }'],
  ])('allow in %s: %s', (path, code) => {
    expect(findViolations([parseSource(path, code)]).map(describeViolation)).toEqual([])
  })
})
