// Proves that each refusal in src/client/known.ts is what makes the type tests fail: with a
// refusal removed, every `@ts-expect-error` it backs becomes unused, which `tsc` reports.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const knownPath = fileURLToPath(new URL('../../src/client/known.ts', import.meta.url))
const testPath = fileURLToPath(new URL('./record-event.ts', import.meta.url))
const configPath = fileURLToPath(new URL('./tsconfig.json', import.meta.url))
const known = readFileSync(knownPath, 'utf8')
const typeTests = readFileSync(testPath, 'utf8')

/** The 1-based lines of `@ts-expect-error` directives under each `// --- section ---` heading. */
function directivesBySection(): Map<string, number[]> {
  const sections = new Map<string, number[]>()
  let current = ''
  typeTests.split('\n').forEach((line, index) => {
    const heading = /^\/\/ --- (.+) ---$/.exec(line)
    if (heading?.[1]) current = heading[1]
    else if (line.startsWith('// @ts-expect-error')) {
      sections.set(current, [...(sections.get(current) ?? []), index + 1])
    }
  })
  return sections
}

/** Type-checks the type tests against `source` as known.ts; returns the lines of unused directives. */
function unusedDirectives(source: string): number[] {
  const config: unknown = ts.readConfigFile(configPath, path => ts.sys.readFile(path)).config
  const parsed = ts.parseJsonConfigFileContent(
    config,
    ts.sys,
    fileURLToPath(new URL('.', import.meta.url)),
  )
  const host = ts.createCompilerHost(parsed.options)
  const readFile = host.readFile.bind(host)
  host.readFile = path => (path === knownPath ? source : readFile(path))
  const program = ts.createProgram({ rootNames: [testPath], options: parsed.options, host })
  const diagnostics = ts.getPreEmitDiagnostics(program)
  const other = diagnostics.filter(d => d.code !== 2578)
  expect(other.map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([])
  return diagnostics
    .filter(d => d.code === 2578 && d.file?.fileName === testPath)
    .map(d => (d.file as ts.SourceFile).getLineAndCharacterOfPosition(d.start ?? 0).line + 1)
    .sort((a, b) => a - b)
}

function without(search: string, replacement: string): string {
  expect(known).toContain(search)
  return known.replace(search, replacement)
}

const sections = directivesBySection()

// Each case builds a TypeScript program: seconds, not milliseconds, on a busy machine.
describe('type tests', { timeout: 120_000 }, () => {
  it('compile as they are', () => {
    expect(unusedDirectives(known)).toEqual([])
  })

  it('fail for every feature/action refusal when KnownString accepts any string', () => {
    const lines = sections.get('A feature or action that is not a literal does not compile')
    expect(lines?.length).toBeGreaterThanOrEqual(7)
    const mutated = without(
      'export type KnownString<T extends string> = AllLiteral<T> extends true ? T : never',
      'export type KnownString<T extends string> = T',
    )
    expect(unusedDirectives(mutated)).toEqual(lines)
  })

  it('fail for every metadata key refusal when keys are not checked', () => {
    const lines = sections.get('Metadata with non-literal keys does not compile')
    expect(lines?.length).toBeGreaterThanOrEqual(4)
    const mutated = without('[NonLiteralKeys<keyof M>] extends [never]', '[never] extends [never]')
    expect(unusedDirectives(mutated)).toEqual(lines)
  })

  it('fail for every metadata value refusal when values are not checked', () => {
    const lines = sections.get('Metadata with non-number values does not compile')
    expect(lines?.length).toBeGreaterThanOrEqual(3)
    const mutated = without('[M[keyof M]] extends [number | undefined]', '[M] extends [M]')
    expect(unusedDirectives(mutated)).toEqual(lines)
  })
})
