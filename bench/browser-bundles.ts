// Builds the browser benchmark's apps as an app's bundler would ship them: rollup with the
// dependencies' browser builds, terser, ES modules with whatever chunks the code splits into,
// each chunk weighed gzipped at level 9.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import { rollup, type OutputChunk } from 'rollup'

const root = fileURLToPath(new URL('../', import.meta.url))

/** Under `test-results/`, which git ignores; served to the pages as static files. */
export const bundlesDir = join(root, 'test-results', 'bench-bundles')

export interface BuiltApp {
  /** The entry's path under `bundlesDir`, for `import()` in a page. */
  entry: string
  /** Every chunk, gzipped, summed: what the app downloads at most. */
  totalBytes: number
  /** The entry and the chunks it imports statically: what loads before it runs. */
  initialBytes: number
}

/**
 * Builds `bench/apps/<name>.js` into `bundlesDir/<name>/`; unminified with `minify: false`,
 * so that a profile of it names its functions.
 */
export async function buildApp(name: string, { minify = true } = {}): Promise<BuiltApp> {
  const dir = join(bundlesDir, name)
  rmSync(dir, { recursive: true, force: true })
  const bundle = await rollup({
    input: join(root, 'bench', 'apps', `${name}.js`),
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['browser'] }),
      ...(minify ? [terser()] : []),
    ],
    onwarn(warning, warn) {
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(warning.message)
      warn(warning)
    },
  })
  try {
    const { output } = await bundle.write({
      dir,
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
    })
    const chunks = output.filter((item): item is OutputChunk => item.type === 'chunk')
    const gzipped = new Map(
      chunks.map(chunk => [chunk.fileName, gzipSync(chunk.code, { level: 9 }).length]),
    )
    const byName = new Map(chunks.map(chunk => [chunk.fileName, chunk]))
    const entry = chunks.find(chunk => chunk.isEntry)
    if (!entry) throw new Error(`${name} built no entry chunk`)
    // The entry's static imports, and theirs: the browser fetches them before running it.
    const initial = new Set<string>()
    const visit = (fileName: string) => {
      if (initial.has(fileName)) return
      initial.add(fileName)
      for (const imported of byName.get(fileName)?.imports ?? []) visit(imported)
    }
    visit(entry.fileName)
    const sum = (names: Iterable<string>) =>
      [...names].reduce((total, fileName) => total + (gzipped.get(fileName) ?? 0), 0)
    return {
      entry: `${name}/${entry.fileName}`,
      totalBytes: sum(gzipped.keys()),
      initialBytes: sum(initial),
    }
  } finally {
    await bundle.close()
  }
}
