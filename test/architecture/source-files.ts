// Reads src/ with the TypeScript parser: what each file imports and which ambient globals it
// names. The parser, not a regular expression, so that comments and strings never count.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'

export const root = join(import.meta.dirname, '..', '..')

export interface Import {
  /** As written: `../server/auth.js`, `tally-telemetry`, `node:fs`. */
  specifier: string
  /** The file in src/ it names, repository-relative (`src/server/auth.ts`), if any. */
  target: string | undefined
}

export interface SourceFile {
  /** Repository-relative, with forward slashes: `src/demo/routes.ts`. */
  path: string
  imports: Import[]
  /** Names of browser and editor globals, and `process.env`-style reads, it uses. */
  globals: string[]
}

// The package's own entry points, as tsconfig's `paths` and package.json's `exports` map them.
const packageEntries: Record<string, string> = {
  'tally-telemetry': 'src/index.ts',
  'tally-telemetry/node': 'src/node.ts',
  'tally-telemetry/server': 'src/server.ts',
  'tally-telemetry/testing': 'src/testing.ts',
}

export const watchedGlobals = ['window', 'document', 'navigator'] as const
export const watchedProcessReads = ['process.env', 'process.argv'] as const

const toPosix = (path: string) => path.split('\\').join('/')

function resolveTarget(from: string, specifier: string): string | undefined {
  if (specifier in packageEntries) return packageEntries[specifier]
  if (!specifier.startsWith('.')) return undefined
  const base = join(root, dirname(from), specifier)
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ]
  const found = candidates.find(candidate => existsSync(candidate))
  return toPosix(relative(root, found ?? candidates[0] ?? base))
}

/** Whether `node` reads the global itself, not a property or a declaration of that name. */
function isGlobalReference(node: ts.Identifier): boolean {
  const parent = node.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false
  if (ts.isQualifiedName(parent) && parent.right === node) return false
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isParameter(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isBindingElement(parent)) &&
    parent.name === node
  )
    return false
  return true
}

/** Parses one file's text; `path` is where it would be, repository-relative. */
export function parseSource(path: string, text: string): SourceFile {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const imports: Import[] = []
  const globals = new Set<string>()
  const addImport = (specifier: string) => {
    imports.push({ specifier, target: resolveTarget(path, specifier) })
  }
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      addImport(node.moduleSpecifier.text)
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      addImport(node.arguments[0].text)
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      addImport(node.argument.literal.text)
    } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const owner = node.expression.text
      const name = node.name.text
      if (owner === 'process' && (name === 'env' || name === 'argv')) globals.add(`process.${name}`)
      // `globalThis.document` and `self.navigator` reach the same objects.
      if (
        (owner === 'globalThis' || owner === 'self') &&
        (watchedGlobals as readonly string[]).includes(name)
      )
        globals.add(name)
    } else if (
      ts.isIdentifier(node) &&
      (watchedGlobals as readonly string[]).includes(node.text) &&
      isGlobalReference(node)
    ) {
      globals.add(node.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return { path, imports, globals: [...globals].sort() }
}

function listFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return listFiles(path)
    return /\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every TypeScript file under src/, parsed. */
export function readSourceFiles(): SourceFile[] {
  return listFiles(join(root, 'src'))
    .map(file => parseSource(toPosix(relative(root, file)), readFileSync(file, 'utf8')))
    .sort((a, b) => a.path.localeCompare(b.path))
}
