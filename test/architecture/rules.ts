// The directions imports may run in src/, as docs/architecture.md draws them, each rule a
// name, the files it governs and the imports or globals it refuses.
import type { Import, SourceFile } from './source-files.js'

export interface Violation {
  rule: string
  file: string
  /** The import as written, or the global's name. */
  found: string
}

interface Rule {
  name: string
  /** Whether the rule governs this file. */
  governs(path: string): boolean
  refuses(found: Import): boolean
}

const entryPoints = ['src/index.ts', 'src/node.ts', 'src/server.ts', 'src/testing.ts']

const under = (folder: string) => (path: string | undefined) =>
  path !== undefined && path.startsWith(folder)
const isProtocol = under('src/protocol/')
const isClient = under('src/client/')
const isPlatform = under('src/client/platform/')
const isServerCode = under('src/server/')
const isDemo = under('src/demo/')
const isDemoApp = under('src/demo/app/')
const isCommand = under('src/commands/')
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:')

// The client's core: the modules directly in client/ that assemble it (telemetry.ts,
// recorder.ts, …). Platform code is below the core, which picks a platform; importing the
// core back would close a loop. ids.ts is a leaf (it makes ids and imports nothing), so
// platforms may use it.
const platformMayUse = new Set(['src/client/ids.ts'])
const isClientCore = (path: string | undefined) =>
  path !== undefined && /^src\/client\/[^/]+\.ts$/.test(path) && !platformMayUse.has(path)

export const importRules: readonly Rule[] = [
  {
    name: 'protocol/ imports only protocol/ and no Node built-ins (both sides run it)',
    governs: isProtocol,
    refuses: ({ specifier, target }) =>
      isNodeBuiltin(specifier) || (target !== undefined && !isProtocol(target)),
  },
  {
    name: 'client/ never imports the server',
    governs: isClient,
    refuses: ({ target }) => isServerCode(target) || target === 'src/server.ts',
  },
  {
    name: 'server/ never imports the client, the demo, commands/, cli.ts or an entry point',
    governs: isServerCode,
    refuses: ({ target }) =>
      isClient(target) ||
      isDemo(target) ||
      isCommand(target) ||
      target === 'src/cli.ts' ||
      (target !== undefined && entryPoints.includes(target)),
  },
  {
    name: 'the demo server reaches server code only through src/server.ts',
    governs: path => isDemo(path) && !isDemoApp(path),
    refuses: ({ target }) => isServerCode(target),
  },
  {
    name: 'the demo app (browser) imports only its own folder and the tally-telemetry entry',
    governs: isDemoApp,
    refuses: ({ specifier, target }) =>
      isNodeBuiltin(specifier) ||
      (target !== undefined && !isDemoApp(target) && target !== 'src/index.ts'),
  },
  {
    name: "client/platform/ never imports the client's core",
    governs: isPlatform,
    refuses: ({ target }) => isClientCore(target),
  },
  {
    name: 'only client/platform/ imports the editor (vscode)',
    governs: path => !isPlatform(path),
    refuses: ({ specifier }) => specifier === 'vscode',
  },
]

export const globalRules = [
  {
    name: 'browser globals (window, document, navigator) only in client/platform/ and the demo app',
    governs: (path: string) => !isPlatform(path) && !isDemoApp(path),
    refuses: (name: string) => !name.startsWith('process.'),
  },
  {
    name: 'only cli.ts reads the environment and the arguments',
    governs: (path: string) => path !== 'src/cli.ts',
    refuses: (name: string) => name.startsWith('process.'),
  },
] as const

/** Every import and global in `files` that a rule refuses, in file order. */
export function findViolations(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = []
  for (const file of files) {
    for (const rule of importRules) {
      if (!rule.governs(file.path)) continue
      for (const found of file.imports)
        if (rule.refuses(found))
          violations.push({ rule: rule.name, file: file.path, found: found.specifier })
    }
    for (const rule of globalRules) {
      if (!rule.governs(file.path)) continue
      for (const name of file.globals)
        if (rule.refuses(name)) violations.push({ rule: rule.name, file: file.path, found: name })
    }
  }
  return violations
}

export const describeViolation = ({ rule, file, found }: Violation) => `${file}: ${found} (${rule})`
